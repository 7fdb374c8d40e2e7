package org.mededge.fusion.safety;

import java.util.ArrayList;
import java.util.List;

import org.mededge.fusion.Flag;
import org.mededge.fusion.FlagCode;
import org.mededge.fusion.extract.Measure;
import org.mededge.fusion.extract.UnplacedNumbers;
import org.mededge.fusion.extract.ValueExtractor;

/**
 * Numbers the report does not hold must not vanish silently: a range stated where one reading
 * belongs ("HR 90-100", any note) and, in a dictation, a number that no vital sign or lab took (its
 * name misheard or missing) each put UNPLACED_VALUE on the report, quoting the words. A typed note
 * is the clinician's own text, so its other numbers (scores, doses, measures fusion does not code)
 * are not flagged.
 */
public final class UnplacedValues {
    private UnplacedValues() {
    }

    public static List<Flag> check(List<ValueExtractor.Range> ranges, List<UnplacedNumbers.Unplaced> numbers,
                                   boolean dictated, String language) {
        boolean zh = "zh".equals(language);
        List<Flag> flags = new ArrayList<>();
        for (ValueExtractor.Range range : ranges) {
            String field = (Measure.ofLoinc(range.code()).kind() == Measure.Kind.VITAL ? "vitals." : "labs.") + range.code();
            flags.add(new Flag(FlagCode.UNPLACED_VALUE, zh
                    ? "“" + range.text() + "”：是一个范围而非单次测量值，未写入结构化字段；请填写实际测量值。"
                    : "\"" + range.text() + "\": a range, not one reading (" + range.display().replaceAll(" \\[.*", "")
                    + "); kept out of the structured fields. Enter the reading.", field));
        }
        if (dictated && !numbers.isEmpty()) {
            StringBuilder quoted = new StringBuilder();
            for (int i = 0; i < numbers.size() && i < 5; i++) {
                quoted.append(i == 0 ? "" : zh ? "、" : ", ").append(zh ? "“…" : "\"…").append(numbers.get(i).context())
                        .append(zh ? "”" : "\"");
            }
            if (numbers.size() > 5) {
                quoted.append(zh ? "等" : ", …");
            }
            flags.add(new Flag(FlagCode.UNPLACED_VALUE, zh
                    ? "转写中的数值未归入任何生命体征或检验项目（" + quoted + "）：项目名称可能听错或缺失，请对照录音核对转写文本。"
                    : "The dictation has a number that no vital sign or lab took (" + quoted
                    + "): its name may be misheard or missing; check the transcript against the audio.", "transcript"));
        }
        return flags;
    }

    /**
     * A unit that cannot be the measure's: the value was kept out of the fields (UNPLACED_VALUE). Two
     * different values of one measure with nothing that sets them apart ("on arrival", "now"): both are
     * filed and NEEDS_REVIEW names both, for the clinician to say which is current.
     */
    public static List<Flag> doubts(List<ValueExtractor.Doubt> doubts, String language) {
        boolean zh = "zh".equals(language);
        List<Flag> flags = new ArrayList<>();
        for (ValueExtractor.Doubt d : doubts) {
            if (d.kind() == ValueExtractor.Doubt.Kind.AMBIGUOUS) {
                flags.add(new Flag(FlagCode.UNPLACED_VALUE, zh
                        ? "“" + d.text() + "”：项目名称与数值数量不一致，无法确定哪个数值属于哪个项目，均未写入结构化字段；请逐项填写。"
                        : "\"" + d.text() + "\": the names and the values do not pair one to one, so none is filed under a code;"
                        + " enter each value under its name.", "values"));
                continue;
            }
            String field = (Measure.ofLoinc(d.code()).kind() == Measure.Kind.VITAL ? "vitals." : "labs.") + d.code();
            String name = d.display().replaceAll(" \\[.*", "");
            if (d.kind() == ValueExtractor.Doubt.Kind.FOREIGN_UNIT) {
                flags.add(new Flag(FlagCode.UNPLACED_VALUE, zh
                        ? "“" + d.text() + "”：单位不属于" + name + "，该数值未写入结构化字段；请核对项目名称和单位。"
                        : "\"" + d.text() + "\": the unit cannot be a " + name + "'s; the value is kept out of the structured"
                        + " fields. Check the name and the unit.", field));
            } else {
                flags.add(new Flag(FlagCode.NEEDS_REVIEW, zh
                        ? "同一项目有两个不同数值（" + d.text() + "），且未说明时间或情境：请临床医师确认当前值。"
                        : "Two different values of " + name + " (" + d.text() + ") with no time or context that sets them"
                        + " apart: confirm which is current.", field));
            }
        }
        return flags;
    }
}
