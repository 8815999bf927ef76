/* Rule cases of the fft family (see rule_cases.h). */
static const rule_case rule_cases_fft[] = {RULE_END};
