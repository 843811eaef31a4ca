/*
 * compare.c - broadcasting comparisons (Equal, Less, Greater, LessOrEqual,
 * GreaterOrEqual -> bool), Where and logical Not.
 */
#include <finn/broadcast.h>
#include "onnx_math.h"

#include <string.h>

enum cmp { CMP_EQ, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

/* Sign of a - b in the input's own domain: -1, 0, 1, or 2 if unordered (NaN). */
static int order(const finn_tensor *a, size_t ia, const finn_tensor *b, size_t ib)
{
    if (om_is_float(a->type)) {
        double x = finn_tensor_get(a, ia), y = finn_tensor_get(b, ib);
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    }
    int64_t x = om_get_i64(a, ia), y = om_get_i64(b, ib);
    if (om_is_unsigned(a->type))
        return (uint64_t)x < (uint64_t)y ? -1 : (uint64_t)x > (uint64_t)y;
    return x < y ? -1 : x > y;
}

static bool holds(enum cmp c, int o)
{
    switch (c) {
    case CMP_EQ: return o == 0;
    case CMP_LT: return o == -1;
    case CMP_GT: return o == 1;
    case CMP_LE: return o == -1 || o == 0;
    case CMP_GE: return o == 1 || o == 0;
    }
    return false;
}

static int exec_compare(enum cmp c, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *a = om_need_input(ctx, n, 0, err);
    const finn_tensor *b = a ? om_need_input(ctx, n, 1, err) : NULL;
    if (!b)
        return -1;
    if (a->type != b->type)
        return finn_error_set(err, FINN_ERR_INVALID, "input types differ (%s vs %s)",
                              finn_elem_name(a->type), finn_elem_name(b->type));
    const finn_tensor *in[2] = {a, b};
    finn_bcast bc;
    if (finn_bcast_init(&bc, 2, in, err))
        return -1;
    finn_tensor *y = finn_tensor_new(FINN_ELEM_BOOL, bc.ndim, bc.shape, err);
    if (!y)
        return -1;
    unsigned char *out = y->data;
    for (size_t i = 0; i < bc.numel; i++)
        out[i] = holds(c, order(a, finn_bcast_offset(&bc, 0, i), b, finn_bcast_offset(&bc, 1, i)));
    return om_set_output(ctx, n, 0, y, err);
}

#define CMP_EXEC(fn, c)                                                                  \
    int fn(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err) \
    {                                                                                    \
        (void)m;                                                                         \
        return exec_compare(c, n, ctx, err);                                             \
    }
CMP_EXEC(om_exec_equal, CMP_EQ)
CMP_EXEC(om_exec_less, CMP_LT)
CMP_EXEC(om_exec_greater, CMP_GT)
CMP_EXEC(om_exec_less_equal, CMP_LE)
CMP_EXEC(om_exec_greater_equal, CMP_GE)

/* Where(cond, X, Y): elements are copied byte for byte, so every type is exact. */
int om_exec_where(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    const finn_tensor *in[3];
    for (size_t k = 0; k < 3; k++)
        if (!(in[k] = om_need_input(ctx, n, k, err)))
            return -1;
    if (in[1]->type != in[2]->type)
        return finn_error_set(err, FINN_ERR_INVALID, "X and Y types differ (%s vs %s)",
                              finn_elem_name(in[1]->type), finn_elem_name(in[2]->type));
    finn_bcast bc;
    if (finn_bcast_init(&bc, 3, in, err))
        return -1;
    finn_tensor *y = finn_tensor_new(in[1]->type, bc.ndim, bc.shape, err);
    if (!y)
        return -1;
    size_t es = finn_elem_size(y->type);
    for (size_t i = 0; i < bc.numel; i++) {
        bool c = finn_tensor_get(in[0], finn_bcast_offset(&bc, 0, i)) != 0.0;
        const finn_tensor *src = c ? in[1] : in[2];
        size_t j = finn_bcast_offset(&bc, c ? 1 : 2, i);
        memcpy((char *)y->data + i * es, (const char *)src->data + j * es, es);
    }
    return om_set_output(ctx, n, 0, y, err);
}

int om_exec_not(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x)
        return -1;
    if (x->type != FINN_ELEM_BOOL)
        return finn_error_set(err, FINN_ERR_INVALID, "Not needs a bool input, got %s",
                              finn_elem_name(x->type));
    finn_tensor *y = finn_tensor_new(FINN_ELEM_BOOL, x->ndim, x->shape, err);
    if (!y)
        return -1;
    const unsigned char *in = x->data;
    unsigned char *out = y->data;
    for (size_t i = 0, cnt = finn_tensor_numel(x); i < cnt; i++)
        out[i] = !in[i];
    return om_set_output(ctx, n, 0, y, err);
}
