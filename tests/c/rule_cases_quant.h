/* Rule cases of the quantization family (see rule_cases.h). */
static const rule_case rule_cases_quant[] = {RULE_END};
