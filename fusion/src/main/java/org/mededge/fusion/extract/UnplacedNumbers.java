package org.mededge.fusion.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.extract.Spans.Span;

/**
 * Numbers that no field took: not part of a vital sign, a lab value or a duration, and not a count,
 * an age, a dose, a time or a size by the word next to them. In a dictation such a number is what is
 * left when speech recognition lost a measurement's name ("today sodium one hundred thirty eight"
 * heard as "thirty one hundred thirty eight"): the value cannot go into the report, and it must not
 * vanish silently either.
 */
public final class UnplacedNumbers {
    private UnplacedNumbers() {
    }

    /** A number the report does not hold, quoted with the words before it in its clause (original text). */
    public record Unplaced(String context) {
    }

    private static final Pattern NUMBER = Pattern.compile("(?<![\\dA-Za-z.\\-_/])\\d+(?:\\.\\d+)?(?![\\d.]*\\d)(?![A-Za-z])");
    /** The word after the number makes it something else than a measurement: a count, age, dose, time, size, rank. */
    private static final Pattern NOT_A_VALUE_AFTER = Pattern.compile("\\s*(?:(?i:-?\\s*(?:years?|yrs?|yo|y/o|days?|weeks?|wks?|months?|mos?"
            + "|hours?|hrs?|minutes?|mins?|seconds?|secs?|times?|leads?|mg|mcg|ug|g|kg|ml|l|units?|puffs?|tablets?|tabs?|pills?|doses?"
            + "|drops?|cm|mm|packs?|cigarettes?|pack-years?|am|pm|o'clock|st|nd|rd|th|x|out\\s+of|of|to|or|and\\s+a\\s+half)(?![A-Za-z]))"
            + "|[/:×xX~\\-–%]|岁|周岁|天|日|周|星期|个|月|年|小时|分钟|分|秒|次|片|粒|支|袋|瓶|毫克|克|毫升|升|单位|号|床|楼|室|级|期|型|导联"
            + "|厘米|毫米|点(?!\\d)|时|包|根|例|项|度(?=[IVⅠⅡⅢⅣ])|至|到|或)");
    private static final Pattern NOT_A_VALUE_BEFORE = Pattern.compile("(?:(?i:(?<![A-Za-z])(?:number|no\\.?|bed|room|day|grade|stage|type|lead|gravida|para|g|p|x|#))|第|约第|[/:×~\\-–])\\s*$");

    /**
     * @param taken spans of normalized text already read as values or durations
     */
    public static List<Unplaced> find(NormalizedText nt, List<Span> taken) {
        String s = nt.text();
        List<Unplaced> out = new ArrayList<>();
        List<Span> clauses = Spans.clauses(s, 0, s.length());
        Matcher m = NUMBER.matcher(s);
        while (m.find()) {
            int a = m.start();
            int b = m.end();
            if (taken.stream().anyMatch(t -> a < t.end() && t.start() < b)) {
                continue;
            }
            if (NOT_A_VALUE_AFTER.matcher(s).region(b, s.length()).lookingAt()) {
                continue;
            }
            if (NOT_A_VALUE_BEFORE.matcher(s).region(Math.max(0, a - 12), a).find()) {
                continue;
            }
            int from = a;
            for (Span c : clauses) {
                if (c.contains(a)) {
                    from = Math.max(c.start(), a - 16);
                    break;
                }
            }
            out.add(new Unplaced(nt.originalSpan(from, b)));
        }
        return out;
    }
}
