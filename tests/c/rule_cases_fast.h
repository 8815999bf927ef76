/* Rule cases of the fast family (see rule_cases.h). */
static const rule_case rule_cases_fast[] = {RULE_END};
