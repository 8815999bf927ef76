/* Rule cases of the lapack family (see rule_cases.h). */
static const rule_case rule_cases_lapack[] = {RULE_END};
