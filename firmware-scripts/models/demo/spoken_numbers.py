"""Spoken forms of numbers, English and Mandarin, written for the MedEdge demo corpus."""

EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
           "seventeen", "eighteen", "nineteen"]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def en_int(n, style="plain"):
    """0..9999. style 'plain': one hundred twenty; 'clinical': one twenty (100..199, as read
    off a monitor); 'and': one hundred and twenty."""
    assert 0 <= n < 10000
    if n < 20:
        return EN_ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return EN_TENS[t] + ("" if o == 0 else " " + EN_ONES[o])
    if n < 1000:
        h, r = divmod(n, 100)
        if style == "clinical" and r >= 10:
            return EN_ONES[h] + " " + en_int(r)
        if r == 0:
            return EN_ONES[h] + " hundred"
        sep = " and " if style == "and" else " "
        return EN_ONES[h] + " hundred" + sep + en_int(r)
    th, r = divmod(n, 1000)
    s = en_int(th) + " thousand"
    if r:
        s += (" and " if style == "and" and r < 100 else " ") + en_int(r, "plain" if style == "clinical" else style)
    return s


def en_decimal(value, places):
    """38.6 -> thirty eight point six; 0.04 -> zero point zero four."""
    s = f"{value:.{places}f}"
    whole, _, frac = s.partition(".")
    out = en_int(int(whole))
    if places:
        out += " point " + " ".join(EN_ONES[int(c)] for c in frac)
    return out


ZH_DIGITS = "零一二三四五六七八九"


def zh_int(n, two="二"):
    """0..9999 in Mandarin. `two` is 二 or 两 for the leading 2 of hundreds/thousands."""
    assert 0 <= n < 10000
    if n < 10:
        return ZH_DIGITS[n]
    if n < 20:
        return "十" + ("" if n == 10 else ZH_DIGITS[n - 10])
    if n < 100:
        t, o = divmod(n, 10)
        return ZH_DIGITS[t] + "十" + ("" if o == 0 else ZH_DIGITS[o])
    if n < 1000:
        h, r = divmod(n, 100)
        head = (two if h == 2 else ZH_DIGITS[h]) + "百"
        if r == 0:
            return head
        if r < 10:
            return head + "零" + ZH_DIGITS[r]
        t, o = divmod(r, 10)
        return head + ZH_DIGITS[t] + "十" + ("" if o == 0 else ZH_DIGITS[o])
    th, r = divmod(n, 1000)
    head = (two if th == 2 else ZH_DIGITS[th]) + "千"
    if r == 0:
        return head
    if r < 100:
        return head + "零" + zh_int(r) if r >= 10 else head + "零" + ZH_DIGITS[r]
    return head + zh_int(r)


def zh_decimal(value, places):
    s = f"{value:.{places}f}"
    whole, _, frac = s.partition(".")
    out = zh_int(int(whole))
    if places:
        out += "点" + "".join(ZH_DIGITS[int(c)] for c in frac)
    return out
