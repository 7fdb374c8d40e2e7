package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.mededge.fusion.extract.NormalizedText;

/** Spoken numbers become digits and every span maps back to the note's own words. */
class TextNormalizerTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "temperature thirty eight point six|temperature 38.6",
            "blood pressure one twenty over eighty|blood pressure 120 over 80",
            "heart rate one hundred and ten|heart rate 110",
            "temp one oh one point three|temp 101.3",
            "a hundred and two|102",
            "sats ninety-five percent|sats 95 percent",
            "twelve thousand five hundred|12500",
            "zero point eight|0.8",
            "one forty five over ninety|145 over 90",
            "no one came|no 1 came",
            "at this point the patient|at this point the patient",
            "oh and often|oh and often",
            "体温三十八度六|体温38度6",
            "心率一百一十次每分|心率110次每分",
            "血压一百四十比九十|血压140比90",
            "血氧饱和度百分之九十|血氧饱和度90%",
            "一百二|120",
            "一百零五|105",
            "白细胞一万二|白细胞12000",
            "三十九点五|39.5",
            "两周|2周",
            "两肺呼吸音粗|两肺呼吸音粗",
            "一般情况可|一般情况可",
            "二尖瓣区杂音|二尖瓣区杂音",
            "D-二聚体|D-二聚体",
            "见一4mm结节|见一4mm结节",
            "ＢＰ　１２０／８０|BP 120/80",
            "WBC 12,500|WBC 12500",
    })
    void normalizes(String in, String out) {
        assertEquals(out, NormalizedText.of(in).text());
    }

    @Test
    void spansMapBackToTheOriginalWords() {
        String original = "Exam: temperature thirty eight point six, HR 90.";
        NormalizedText nt = NormalizedText.of(original);
        String s = nt.text();
        int start = s.indexOf("temperature");
        int end = s.indexOf("38.6") + 4;
        assertEquals("temperature thirty eight point six", nt.originalSpan(start, end));
        String zh = "查体：体温三十八度六，心率一百一十次每分。";
        NormalizedText z = NormalizedText.of(zh);
        int a = z.text().indexOf("体温");
        int b = z.text().indexOf("38度6") + 4;
        assertEquals("体温三十八度六", z.originalSpan(a, b));
    }
}
