/* Primitive table fragment: unary, binary and ternary elementwise ops, comparisons, logical ops,
 * where, clip. Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * One primitive per op (MLX's names). Inputs arrive promoted and broadcast to one shape (the ops
 * in src/ops/elementwise*.c do that), so output_shapes is the first input's shape. Kernels:
 * src/backend/cpu/elementwise.h. Real, Imag and StopGradient are views (no data moves). vjp, jvp
 * and vmap: src/ops/elementwise_rules.c (one derivative table serves every row). */
#ifndef MX_OPS_PRIMS_ELEMENTWISE_H
#define MX_OPS_PRIMS_ELEMENTWISE_H

#include "backend/cpu/elementwise.h"
#include "ops/elementwise.h"

#define MX_EW_ELEM MX_PF_ELEMENTWISE

/* clang-format off */
#define MX_PRIMS_ELEMENTWISE(X) \
  /* ID                 name              flags        eval_cpu              eval_cuda             vjp        jvp        vmap        output_shapes    is_equivalent */ \
  X(ABS,              "Abs",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(SIGN,             "Sign",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(NEGATIVE,         "Negative",       MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(SQUARE,           "Square",         MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(SQRT,             "Sqrt",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(RSQRT,            "Rsqrt",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(EXP,              "Exp",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(EXPM1,            "Expm1",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOG,              "Log",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOG2,             "Log2",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOG10,            "Log10",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOG1P,            "Log1p",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(SIN,              "Sin",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(COS,              "Cos",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(TAN,              "Tan",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(SINH,             "Sinh",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(COSH,             "Cosh",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(TANH,             "Tanh",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCSIN,           "ArcSin",         MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCCOS,           "ArcCos",         MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCTAN,           "ArcTan",         MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCSINH,          "ArcSinh",        MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCCOSH,          "ArcCosh",        MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCTANH,          "ArcTanh",        MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(SIGMOID,          "Sigmoid",        MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ERF,              "Erf",            MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ERFINV,           "ErfInv",         MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(FLOOR,            "Floor",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(CEIL,             "Ceil",           MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ROUND,            "Round",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(CONJUGATE,        "Conjugate",      MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(BITWISE_INVERT,   "BitwiseInvert",  MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOGICAL_NOT,      "LogicalNot",     MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ISNAN,            "IsNaN",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ISINF,            "IsInf",          MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ISFINITE,         "IsFinite",       MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ISPOSINF,         "IsPosInf",       MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ISNEGINF,         "IsNegInf",       MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(NAN_TO_NUM,       "NanToNum",       MX_EW_ELEM,  mx_cpu_unary,         NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(REAL,             "Real",           0,           mx_eval_real_imag,    mx_eval_real_imag,    mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(IMAG,             "Imag",           0,           mx_eval_real_imag,    mx_eval_real_imag,    mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(STOP_GRADIENT,    "StopGradient",   0,           mx_eval_stop_gradient, mx_eval_stop_gradient, mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same, mx_equiv_params) \
  X(MAXIMUM,          "Maximum",        MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(MINIMUM,          "Minimum",        MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(POWER,            "Power",          MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(REMAINDER,        "Remainder",      MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(FLOOR_DIVIDE,     "FloorDivide",    MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(ARCTAN2,          "ArcTan2",        MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOGADDEXP,        "LogAddExp",      MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LEFT_SHIFT,       "LeftShift",      MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(RIGHT_SHIFT,      "RightShift",     MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(BITWISE_AND,      "BitwiseAnd",     MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(BITWISE_OR,       "BitwiseOr",      MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(BITWISE_XOR,      "BitwiseXor",     MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(EQUAL,            "Equal",          MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(NOT_EQUAL,        "NotEqual",       MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LESS,             "Less",           MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LESS_EQUAL,       "LessEqual",      MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(GREATER,          "Greater",        MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(GREATER_EQUAL,    "GreaterEqual",   MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(NAN_EQUAL,        "NaNEqual",       MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOGICAL_AND,      "LogicalAnd",     MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(LOGICAL_OR,       "LogicalOr",      MX_EW_ELEM,  mx_cpu_ew_binary,     NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(DIVMOD,           "DivMod",         0,           mx_cpu_divmod,        NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_divmod, mx_equiv_params) \
  X(SELECT,           "Select",         MX_EW_ELEM,  mx_cpu_select,        NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params) \
  X(CLIP,             "Clip",           MX_EW_ELEM,  mx_cpu_clip,          NULL,                 mx_vjp_ew, mx_jvp_ew, mx_vmap_ew, mx_shapes_same,  mx_equiv_params)
/* clang-format on */

#endif
