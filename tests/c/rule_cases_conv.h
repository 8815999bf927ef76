/* Rule cases of the conv family (see rule_cases.h). */
static const rule_case rule_cases_conv[] = {RULE_END};
