/* test_hw_stream.c - the abstract streaming HW layers of plugins/hw_stream:
 * attribute tables, normal/folded shapes, stream widths, expected cycles
 * (worked by hand from FINN's formulas), check_folding messages, datatype
 * inference and execution against hand-checked values; the sliding window
 * generator equals QONNX's Im2Col and StreamingMaxPool equals MaxPoolNHWC
 * on random inputs; StreamingDataflowPartition runs a saved child model. */
#include <finn/plugin.h>
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static finn_error err;
static finn_registry *reg;  /* hw_stream only */
static finn_registry *full; /* finn_plugin_load_default: + qonnx_ops */

#define HD FINN_HW_DOMAIN
#define QD "qonnx.custom_op.general"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a one-node model ---------------------------------------------------- */
typedef struct tcase {
    finn_model *m;
    finn_node *n;
    finn_exec_ctx *ctx;
    int ok;
} tcase;

static void push_name(char ***list, size_t *count, const char *name)
{
    *list = realloc(*list, (*count + 1) * sizeof(char *));
    (*list)[(*count)++] = strdup(name);
}

/* Node `op` (named `name`) writing "y"; inserted into the model at once. */
static tcase tc_new(const char *op, const char *domain, const char *name)
{
    tcase t = {0};
    t.m = finn_model_new("g", &err);
    t.ctx = finn_exec_ctx_new(&err);
    t.n = finn_node_new(op, domain, name, &err);
    finn_model_set_opset(t.m, "", 13, &err);
    push_name(&t.m->outputs, &t.m->n_outputs, "y");
    finn_node_add_output(t.n, "y", &err);
    finn_node_set_attr_s(t.n, "backend", "fpgadataflow", &err);
    t.ok = t.m && t.ctx && t.n && !finn_model_insert_node(t.m, 0, t.n, &err);
    return t;
}

static finn_tensor *ften(int ndim, const int64_t *shape, const float *v)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, &err);
    if (t && v)
        for (size_t i = 0; i < finn_tensor_numel(t); i++)
            ((float *)t->data)[i] = v[i];
    return t;
}

/* Graph input `name` with value v (taken) and datatype dt (may be NULL). */
static void tc_input(tcase *t, const char *name, finn_tensor *v, const char *dt)
{
    push_name(&t->m->inputs, &t->m->n_inputs, name);
    finn_node_add_input(t->n, name, &err);
    if (finn_model_set_shape(t->m, name, v->type, v->ndim, v->shape, &err) ||
        finn_exec_ctx_set(t->ctx, name, v, &err))
        t->ok = 0;
    if (dt) {
        finn_datatype d;
        if (finn_dt_parse(dt, &d, &err) || finn_model_set_datatype(t->m, name, d, &err))
            t->ok = 0;
    }
}

static void tc_free(tcase *t)
{
    finn_model_free(t->m);
    finn_exec_ctx_free(t->ctx);
}

static const finn_op *op_of(const finn_registry *r, const finn_node *n)
{
    return finn_registry_op(r, n->domain, n->op_type);
}

/* Shape inference, datatype inference, execution; returns y or NULL. */
static const finn_tensor *tc_run_in(const finn_registry *r, tcase *t)
{
    const finn_op *op = op_of(r, t->n);
    if (!t->ok || !op) {
        fprintf(stderr, "case not built or op missing\n");
        return NULL;
    }
    if (op->infer_shapes(t->m, t->n, &err) || op->infer_datatypes(t->m, t->n, &err) ||
        finn_execute(r, t->m, t->ctx, &err)) {
        fprintf(stderr, "%s: %s\n", t->n->op_type, err.msg);
        return NULL;
    }
    return finn_exec_ctx_get(t->ctx, "y");
}
static const finn_tensor *tc_run(tcase *t)
{
    return tc_run_in(reg, t);
}

static void check_values(const finn_tensor *y, const float *want, size_t count, int line)
{
    if (!y) {
        fprintf(stderr, "line %d: no output\n", line);
        CHECK(y != NULL);
        return;
    }
    CHECK_EQ_INT(finn_tensor_numel(y), count);
    if (finn_tensor_numel(y) != count)
        return;
    for (size_t i = 0; i < count; i++) {
        if (finn_tensor_get(y, i) != want[i])
            fprintf(stderr, "line %d: element %zu\n", line, i);
        CHECK_EQ_DBL(finn_tensor_get(y, i), want[i]);
    }
}
#define CHECK_VALUES(y, want) check_values((y), (want), N_OF(want), __LINE__)

static void check_shape_at(int ndim, const int64_t *shape, int wnd, const int64_t *want, int line)
{
    char a[128], b[128];
    if (!finn_shape_equal(ndim, shape, wnd, want))
        fprintf(stderr, "line %d: shape %s, want %s\n", line, finn_shape_str(ndim, shape, a, 128),
                finn_shape_str(wnd, want, b, 128));
    CHECK(finn_shape_equal(ndim, shape, wnd, want));
}

/* The HW shape of kind/index equals want. */
static void check_hw_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                           size_t index, int wnd, const int64_t *want, int line)
{
    int nd = -1;
    int64_t s[FINN_MAX_DIMS];
    int rc = finn_hw_shape(reg, m, n, kind, index, &nd, s, &err);
    if (rc)
        fprintf(stderr, "line %d: %s\n", line, err.msg);
    CHECK_EQ_INT(rc, 0);
    if (!rc)
        check_shape_at(nd, s, wnd, want, line);
}
#define SHAPE(t, kind, idx, ...)                                                          \
    do {                                                                                  \
        const int64_t w_[] = {__VA_ARGS__};                                               \
        check_hw_shape((t)->m, (t)->n, kind, idx, (int)N_OF(w_), w_, __LINE__);          \
    } while (0)
#define NIN FINN_HW_NORMAL_IN
#define NOUT FINN_HW_NORMAL_OUT
#define FIN FINN_HW_FOLDED_IN
#define FOUT FINN_HW_FOLDED_OUT

static void check_y_shape(const tcase *t, int wnd, const int64_t *want, int line)
{
    const finn_value *v = finn_model_value(t->m, "y");
    CHECK(v != NULL);
    if (v)
        check_shape_at(v->ndim, v->shape, wnd, want, line);
}
#define Y_SHAPE(t, ...)                                                                   \
    do {                                                                                  \
        const int64_t w_[] = {__VA_ARGS__};                                               \
        check_y_shape((t), (int)N_OF(w_), w_, __LINE__);                                  \
    } while (0)

static const char *dt_of(const tcase *t, const char *name)
{
    return finn_model_annotation(t->m, name, "finn_datatype");
}

static void set_ints(finn_node *n, const char *name, int64_t a, int64_t b)
{
    int64_t v[2] = {a, b};
    finn_node_set_attr_ints(n, name, v, 2, &err);
}

static int folding(const tcase *t)
{
    return finn_hw_check_folding(reg, t->m, t->n, &err);
}

/* ---- attribute tables -------------------------------------------------- */

static const finn_hw_attr *find_attr(const finn_hw_op *hw, const char *name, size_t *count)
{
    const finn_hw_attr *hit = NULL;
    *count = 0;
    for (const finn_hw_attr *a = hw->attrs; a && a->name; a++, (*count)++)
        if (!strcmp(a->name, name))
            hit = a;
    return hit;
}

static void check_attr(const char *op, const char *name, int type, const char *dflt,
                       size_t want_count, int line)
{
    const finn_op *o = finn_registry_op(reg, HD, op);
    const finn_hw_op *hw = o ? o->ext : NULL;
    size_t count = 0;
    const finn_hw_attr *a = hw ? find_attr(hw, name, &count) : NULL;
    if (!a)
        fprintf(stderr, "line %d: %s has no attribute %s\n", line, op, name);
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK_EQ_INT(a->type, type);
    CHECK_EQ_INT(count, want_count);
    if (dflt)
        CHECK_STR(a->dflt, dflt);
    else
        CHECK(a->dflt == NULL);
}
#define ATTR(op, name, type, dflt, count) check_attr(op, name, type, dflt, count, __LINE__)

static void test_registration(void)
{
    static const char *const hw_ops[] = {
        "ConvolutionInputGenerator", "FMPadding", "StreamingMaxPool",
        "Pool", "StreamingDataWidthConverter", "StreamingFIFO",
        "StreamingConcat", "UpsampleNearestNeighbour", "DownSampler"};
    for (size_t i = 0; i < N_OF(hw_ops); i++) {
        const finn_op *op = finn_registry_op(reg, HD, hw_ops[i]);
        CHECK(op != NULL);
        const finn_hw_op *hw = op ? op->ext : NULL;
        CHECK(hw != NULL && hw->impl == NULL && hw->resources == NULL);
        if (hw)
            CHECK_STR(hw->base, hw_ops[i]);
        CHECK(op && op->execute && op->infer_shapes && op->infer_datatypes);
    }
    const finn_op *sdp = finn_registry_op(reg, HD, "StreamingDataflowPartition");
    CHECK(sdp != NULL && sdp->ext == NULL && sdp->execute != NULL);

    ATTR("ConvolutionInputGenerator", "ConvKernelDim", FINN_ATTR_INTS, NULL, 14);
    ATTR("ConvolutionInputGenerator", "SIMD", FINN_ATTR_INT, NULL, 14);
    ATTR("ConvolutionInputGenerator", "ram_style", FINN_ATTR_STRING, "distributed", 14);
    ATTR("ConvolutionInputGenerator", "parallel_window", FINN_ATTR_INT, "0", 14);
    ATTR("ConvolutionInputGenerator", "depthwise", FINN_ATTR_INT, "0", 14);
    ATTR("ConvolutionInputGenerator", "dynamic_mode", FINN_ATTR_INT, "0", 14);
    ATTR("FMPadding", "Padding", FINN_ATTR_INTS, NULL, 6);
    ATTR("FMPadding", "SIMD", FINN_ATTR_INT, "1", 6);
    ATTR("FMPadding", "numInputVectors", FINN_ATTR_INT, "1", 6);
    ATTR("StreamingMaxPool", "PE", FINN_ATTR_INT, "0", 6);
    ATTR("StreamingMaxPool", "CeilMode", FINN_ATTR_INT, "0", 6);
    ATTR("StreamingMaxPool", "dataType", FINN_ATTR_STRING, NULL, 6);
    ATTR("Pool", "Function", FINN_ATTR_STRING, NULL, 10);
    ATTR("Pool", "AccumBits", FINN_ATTR_INT, "0", 10);
    ATTR("Pool", "BatchSize", FINN_ATTR_INT, "1", 10);
    ATTR("StreamingDataWidthConverter", "inWidth", FINN_ATTR_INT, NULL, 4);
    ATTR("StreamingFIFO", "ram_style", FINN_ATTR_STRING, "auto", 8);
    ATTR("StreamingFIFO", "inFIFODepths", FINN_ATTR_INTS, "[0]", 8);
    ATTR("StreamingConcat", "numInputVectors", FINN_ATTR_INTS, "[1]", 3);
    ATTR("UpsampleNearestNeighbour", "DimMode", FINN_ATTR_INT, "0", 6);
    ATTR("DownSampler", "is1D_unitx", FINN_ATTR_INT, "1", 8);
    ATTR("DownSampler", "Stride", FINN_ATTR_INT, NULL, 8);

    const finn_hw_op *swg = finn_registry_op(reg, HD, "ConvolutionInputGenerator")->ext;
    CHECK(swg->folding_attrs && !strcmp(swg->folding_attrs[0], "SIMD") &&
          !strcmp(swg->folding_attrs[1], "parallel_window") && !swg->folding_attrs[2]);
    const finn_hw_op *smp = finn_registry_op(reg, HD, "StreamingMaxPool")->ext;
    CHECK(smp->folding_attrs && !strcmp(smp->folding_attrs[0], "PE") && !smp->folding_attrs[1]);
    const finn_hw_op *cat = finn_registry_op(reg, HD, "StreamingConcat")->ext;
    CHECK(cat->folding_attrs == NULL);
}

/* ---- ConvolutionInputGenerator ------------------------------------------ */

static tcase swg_case(int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw, int64_t simd)
{
    tcase t = tc_new("ConvolutionInputGenerator", HD, "swg0");
    set_ints(t.n, "ConvKernelDim", kh, kw);
    set_ints(t.n, "IFMDim", h, w);
    set_ints(t.n, "Stride", 1, 1);
    set_ints(t.n, "Dilation", 1, 1);
    finn_node_set_attr_i(t.n, "IFMChannels", c, &err);
    finn_node_set_attr_i(t.n, "SIMD", simd, &err);
    finn_node_set_attr_s(t.n, "inputDataType", "INT4", &err);
    finn_node_set_attr_s(t.n, "outputDataType", "INT4", &err);
    return t;
}

static void test_swg_shapes(void)
{
    /* IFM 5x5x4, kernel 3x3, stride 1: OH = OW = (5 - 2 - 1)/1 + 1 = 3,
     * output channels 9 * 4 = 36 */
    tcase t = swg_case(5, 5, 4, 3, 3, 2);
    SHAPE(&t, NIN, 0, 1, 5, 5, 4);
    SHAPE(&t, NOUT, 0, 1, 3, 3, 36);
    SHAPE(&t, FIN, 0, 1, 5, 5, 2, 2);
    SHAPE(&t, FOUT, 0, 1, 3, 3, 18, 2);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 8); /* SIMD 2 x 4 bits */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 8);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 0); /* abstract layer: FINN returns 0 */
    CHECK_EQ_INT(folding(&t), 0);
    finn_node_set_attr_i(t.n, "SIMD", 4, &err);
    SHAPE(&t, FIN, 0, 1, 5, 5, 1, 4);
    SHAPE(&t, FOUT, 0, 1, 3, 3, 9, 4);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 16);
    finn_node_set_attr_i(t.n, "SIMD", 1, &err);
    SHAPE(&t, FOUT, 0, 1, 3, 3, 36, 1);
    /* parallel window: (1, OH, OW, C/SIMD, k*k*SIMD), output width x 9 */
    finn_node_set_attr_i(t.n, "SIMD", 2, &err);
    finn_node_set_attr_i(t.n, "parallel_window", 1, &err);
    SHAPE(&t, FOUT, 0, 1, 3, 3, 2, 18);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 72);
    finn_node_set_attr_i(t.n, "parallel_window", 0, &err);

    /* SIMD 3 does not divide 4 channels */
    finn_node_set_attr_i(t.n, "SIMD", 3, &err);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'swg0' (ConvolutionInputGenerator): SIMD = 3 must divide "
                       "IFMChannels = 4; allowed values: 1, 2, 4");
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), -1);
    int nd;
    int64_t s[FINN_MAX_DIMS];
    CHECK_EQ_INT(finn_hw_shape(reg, t.m, t.n, FIN, 0, &nd, s, &err), -1);
    tc_free(&t);

    /* stride and dilation: IFM 7x6, kernel 2x3, stride [2,1], dilation [2,2]:
     * OH = (7 - 2*1 - 1)/2 + 1 = 3, OW = (6 - 2*2 - 1)/1 + 1 = 2 */
    t = swg_case(7, 6, 3, 2, 3, 3);
    set_ints(t.n, "Stride", 2, 1);
    set_ints(t.n, "Dilation", 2, 2);
    SHAPE(&t, NOUT, 0, 1, 3, 2, 18);
    SHAPE(&t, FOUT, 0, 1, 3, 2, 6, 3);
    /* a dilated kernel wider than the map: (3-1)*2 + 1 = 5 > 4 */
    set_ints(t.n, "IFMDim", 7, 4);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'swg0' (ConvolutionInputGenerator): ConvKernelDim = [2, 3] with "
                       "Dilation [2, 2] does not fit IFMDim = [7, 4]");
    tc_free(&t);

    /* a required attribute missing */
    t = tc_new("ConvolutionInputGenerator", HD, "swg1");
    CHECK_EQ_INT(finn_hw_shape(reg, t.m, t.n, NIN, 0, &nd, s, &err), -1);
    CHECK_STR(err.msg,
              "node 'swg1' (ConvolutionInputGenerator): required attribute 'ConvKernelDim' is "
              "missing");
    tc_free(&t);
    /* Stride is required too (FINN's table default is never used) */
    t = swg_case(5, 5, 4, 3, 3, 2);
    finn_node_remove_attr(t.n, "Stride");
    CHECK_EQ_INT(finn_hw_shape(reg, t.m, t.n, NOUT, 0, &nd, s, &err), -1);
    CHECK_STR(err.msg, "node 'swg0' (ConvolutionInputGenerator): required attribute 'Stride' is "
                       "missing");
    tc_free(&t);
}

static void test_swg_exec(void)
{
    /* x (1,3,3,1) = 3y + x, kernel 2x2, stride 1 -> (1,2,2,4), windows in
     * (ky, kx) order: (0,0) [0,1,3,4]; (0,1) [1,2,4,5]; (1,0) [3,4,6,7];
     * (1,1) [4,5,7,8] */
    const float x[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    const float want[] = {0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8};
    int64_t xs[4] = {1, 3, 3, 1};
    tcase t = swg_case(3, 3, 1, 2, 2, 1);
    tc_input(&t, "x", ften(4, xs, x), "UINT4");
    finn_node_set_attr_s(t.n, "inputDataType", "INT8", &err);
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 2, 2, 4);
    /* output = input type; FINN leaves inputDataType as it was */
    CHECK_STR(dt_of(&t, "y"), "UINT4");
    CHECK_STR(finn_node_attr_s(t.n, "inputDataType", ""), "INT8");
    tc_free(&t);

    /* channel order (ky, kx, c), c fastest: x (1,2,2,2) pixel p has
     * channels (10p, 10p+1); kernel 2x2 -> one window
     * [0,1, 10,11, 20,21, 30,31]; depthwise does not change the python result */
    const float xc[] = {0, 1, 10, 11, 20, 21, 30, 31};
    int64_t xcs[4] = {1, 2, 2, 2};
    for (int dw = 0; dw < 2; dw++) {
        t = swg_case(2, 2, 2, 2, 2, 1);
        finn_node_set_attr_i(t.n, "depthwise", dw, &err);
        tc_input(&t, "x", ften(4, xcs, xc), "UINT5");
        CHECK_VALUES(tc_run(&t), xc);
        tc_free(&t);
    }

    /* dilation on a 1-D map: x (1,1,5,1) = 0..4, kernel 1x2, dilation [1,2]:
     * OW = (5 - 2 - 1)/1 + 1 = 3, windows [0,2], [1,3], [2,4] */
    const float x1[] = {0, 1, 2, 3, 4};
    const float want1[] = {0, 2, 1, 3, 2, 4};
    int64_t x1s[4] = {1, 1, 5, 1};
    t = swg_case(1, 5, 1, 1, 2, 1);
    set_ints(t.n, "Dilation", 1, 2);
    tc_input(&t, "x", ften(4, x1s, x1), "UINT3");
    CHECK_VALUES(tc_run(&t), want1);
    Y_SHAPE(&t, 1, 1, 3, 2);
    tc_free(&t);

    /* stride 2 on x (1,3,3,1): OH = OW = (3 - 1 - 1)/2 + 1 = 1 -> window (0,0) */
    t = swg_case(3, 3, 1, 2, 2, 1);
    set_ints(t.n, "Stride", 2, 2);
    tc_input(&t, "x", ften(4, xs, x), NULL);
    const float want2[] = {0, 1, 3, 4};
    CHECK_VALUES(tc_run(&t), want2);
    tc_free(&t);

    /* the input shape must match IFMDim */
    t = swg_case(4, 3, 1, 2, 2, 1);
    tc_input(&t, "x", ften(4, xs, x), NULL);
    CHECK_EQ_INT(op_of(reg, t.n)->infer_shapes(t.m, t.n, &err), -1);
    CHECK_STR(err.msg, "node 'swg0' (ConvolutionInputGenerator): input 'x' has shape "
                       "(1, 3, 3, 1), the layer expects (1, 4, 3, 1)");
    tc_free(&t);
}

/* Random NHWC values in [-128, 127]. */
static uint32_t rng = 12345;
static float rnd_int8(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((int)(rng >> 24) - 128);
}

/* ConvolutionInputGenerator equals Im2Col (no padding) element for element. */
static void swg_vs_im2col(int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw, int64_t sh,
                          int64_t sw, int64_t dh, int64_t dw, int depthwise)
{
    int64_t xs[4] = {1, h, w, c};
    size_t count = (size_t)(h * w * c);
    float *x = malloc(count * sizeof *x);
    for (size_t i = 0; i < count; i++)
        x[i] = rnd_int8();
    tcase a = swg_case(h, w, c, kh, kw, c);
    set_ints(a.n, "Stride", sh, sw);
    set_ints(a.n, "Dilation", dh, dw);
    finn_node_set_attr_i(a.n, "depthwise", depthwise, &err);
    tc_input(&a, "x", ften(4, xs, x), "INT8");
    tcase b = tc_new("Im2Col", QD, "im2col");
    char ishape[96];
    snprintf(ishape, sizeof ishape, "(1, %lld, %lld, %lld)", (long long)h, (long long)w,
             (long long)c);
    finn_node_set_attr_s(b.n, "input_shape", ishape, &err);
    set_ints(b.n, "kernel_size", kh, kw);
    set_ints(b.n, "stride", sh, sw);
    set_ints(b.n, "dilations", dh, dw);
    finn_node_set_attr_i(b.n, "depthwise", depthwise, &err);
    tc_input(&b, "x", ften(4, xs, x), "INT8");
    const finn_tensor *ya = tc_run_in(full, &a), *yb = tc_run_in(full, &b);
    CHECK(ya && yb);
    if (ya && yb) {
        CHECK(finn_shape_equal(ya->ndim, ya->shape, yb->ndim, yb->shape));
        CHECK_EQ_INT(finn_tensor_nbytes(ya), finn_tensor_nbytes(yb));
        if (finn_tensor_nbytes(ya) == finn_tensor_nbytes(yb))
            CHECK(memcmp(ya->data, yb->data, finn_tensor_nbytes(ya)) == 0);
        /* inferred output shapes agree too */
        const finn_value *va = finn_model_value(a.m, "y"), *vb = finn_model_value(b.m, "y");
        CHECK(finn_shape_equal(va->ndim, va->shape, vb->ndim, vb->shape));
    }
    tc_free(&a);
    tc_free(&b);
    free(x);
}

static void test_swg_vs_im2col(void)
{
    if (!full) {
        fprintf(stderr, "default plugins not loaded: Im2Col comparison skipped\n");
        return;
    }
    swg_vs_im2col(8, 8, 3, 3, 3, 1, 1, 1, 1, 0);
    swg_vs_im2col(9, 7, 4, 3, 2, 2, 1, 1, 1, 1);
    swg_vs_im2col(10, 10, 2, 3, 3, 2, 2, 2, 2, 0);
    swg_vs_im2col(11, 9, 5, 2, 3, 3, 2, 3, 1, 1);
    swg_vs_im2col(1, 12, 5, 1, 3, 1, 2, 1, 2, 0);
    swg_vs_im2col(12, 1, 2, 4, 1, 3, 1, 1, 1, 0);
    swg_vs_im2col(6, 6, 16, 1, 1, 1, 1, 1, 1, 0);
    swg_vs_im2col(5, 5, 3, 5, 5, 1, 1, 1, 1, 1);
    swg_vs_im2col(32, 32, 3, 3, 3, 1, 1, 1, 1, 0); /* CNV's first layer */
}

/* ---- FMPadding ------------------------------------------------------------ */

static tcase pad_case(int64_t h, int64_t w, int64_t c, const int64_t *pad, int64_t simd)
{
    tcase t = tc_new("FMPadding", HD, "pad0");
    set_ints(t.n, "ImgDim", h, w);
    finn_node_set_attr_ints(t.n, "Padding", pad, 4, &err);
    finn_node_set_attr_i(t.n, "NumChannels", c, &err);
    finn_node_set_attr_i(t.n, "SIMD", simd, &err);
    finn_node_set_attr_s(t.n, "inputDataType", "INT2", &err);
    return t;
}

static void test_fmpadding(void)
{
    /* ImgDim 2x3, Padding [top 1, left 2, bottom 0, right 1], C 2:
     * out (1, 2+1+0, 3+2+1, 2) = (1, 3, 6, 2) */
    const int64_t pad[4] = {1, 2, 0, 1};
    tcase t = pad_case(2, 3, 2, pad, 2);
    SHAPE(&t, NIN, 0, 1, 2, 3, 2);
    SHAPE(&t, NOUT, 0, 1, 3, 6, 2);
    SHAPE(&t, FIN, 0, 1, 2, 3, 1, 2);
    SHAPE(&t, FOUT, 0, 1, 3, 6, 1, 2);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 4); /* SIMD 2 x INT2 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 4);
    /* cycles = C/SIMD * batch * OH * OW = 2/2 * 1 * 3 * 6 = 18 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 18);
    finn_node_set_attr_i(t.n, "SIMD", 1, &err);
    SHAPE(&t, FOUT, 0, 1, 3, 6, 2, 1);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 36);
    finn_node_set_attr_i(t.n, "numInputVectors", 2, &err);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 72);
    CHECK_EQ_INT(folding(&t), 0);
    /* C 3, SIMD 2: FINN's float formula int(1.5 * 2 * 18) = 54; folding refused */
    finn_node_set_attr_i(t.n, "NumChannels", 3, &err);
    finn_node_set_attr_i(t.n, "SIMD", 2, &err);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 54);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'pad0' (FMPadding): SIMD = 2 must divide NumChannels = 3; "
                       "allowed values: 1, 3");
    /* BIPOLAR cannot hold the padding zero: no width */
    finn_node_set_attr_s(t.n, "inputDataType", "BIPOLAR", &err);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), -1);
    tc_free(&t);

    /* x (1,2,3,2) = 1..12 -> rows: pad row of zeros, then per input row
     * 2 zero pixels, 3 data pixels, 1 zero pixel */
    float x[12];
    for (int i = 0; i < 12; i++)
        x[i] = (float)(i + 1);
    const float want[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* row 0 */
                          0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0,  /* row 1 */
                          0, 0, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0};
    int64_t xs[4] = {1, 2, 3, 2};
    t = pad_case(2, 3, 2, pad, 1);
    tc_input(&t, "x", ften(4, xs, x), "UINT4");
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 3, 6, 2);
    /* FINN copies the input annotation into inputDataType */
    CHECK_STR(dt_of(&t, "y"), "UINT4");
    CHECK_STR(finn_node_attr_s(t.n, "inputDataType", ""), "UINT4");
    tc_free(&t);
}

/* ---- StreamingMaxPool ---------------------------------------------------- */

static tcase smp_case(int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t c)
{
    tcase t = tc_new("StreamingMaxPool", HD, "smp0");
    set_ints(t.n, "ImgDim", h, w);
    set_ints(t.n, "PoolDim", kh, kw);
    finn_node_set_attr_i(t.n, "NumChannels", c, &err);
    finn_node_set_attr_i(t.n, "PE", 1, &err);
    finn_node_set_attr_s(t.n, "dataType", "INT4", &err);
    return t;
}

static void test_smp_shapes(void)
{
    /* 2-D: 4x4x3, pool 2: out 2x2; folded with one fold axis of all channels */
    tcase t = smp_case(4, 4, 2, 2, 3);
    SHAPE(&t, NIN, 0, 1, 4, 4, 3);
    SHAPE(&t, NOUT, 0, 1, 2, 2, 3);
    SHAPE(&t, FIN, 0, 1, 4, 4, 1, 3);
    SHAPE(&t, FOUT, 0, 1, 2, 2, 1, 3);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 12); /* C 3 x 4 bits */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 12);
    /* 2-D cycles: int(W * W * (1 + 1/k^2)) = int(16 * 1.25) = 20 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 20);
    CHECK_EQ_INT(folding(&t), 0);
    tc_free(&t);
    /* 6x6, pool 3: int(36 * (1 + 1/9)) = int(40.000000000000001) = 40 */
    t = smp_case(6, 6, 3, 3, 3);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 40);
    tc_free(&t);
    /* 2-D needs ImgDim % PoolDim == 0 */
    t = smp_case(5, 4, 2, 2, 3);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'smp0' (StreamingMaxPool): StreamingMaxPool needs ImgDim % PoolDim "
                       "== 0, got ImgDim = [5, 4], PoolDim = [2, 2]");
    tc_free(&t);

    /* 1-D: ImgDim [1,10], PoolDim [1,3], C 4, PE 2, ceil mode:
     * ofm = ceil((10-3)/3 + 1) = ceil(3.33) = 4 */
    t = smp_case(1, 10, 1, 3, 4);
    finn_node_set_attr_i(t.n, "PE", 2, &err);
    finn_node_set_attr_i(t.n, "CeilMode", 1, &err);
    SHAPE(&t, NOUT, 0, 1, 1, 4, 4);
    SHAPE(&t, FIN, 0, 1, 1, 10, 2, 2);
    SHAPE(&t, FOUT, 0, 1, 1, 4, 2, 2);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 8); /* PE 2 x 4 bits */
    /* 1-D cycles: ofm * nf * (k + 1) = 4 * 2 * 4 = 32 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 32);
    CHECK_EQ_INT(folding(&t), 0);
    /* floor mode: ofm = floor(3.33) = 3 -> 3 * 2 * 4 = 24 */
    finn_node_set_attr_i(t.n, "CeilMode", 0, &err);
    SHAPE(&t, NOUT, 0, 1, 1, 3, 4);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 24);
    finn_node_set_attr_i(t.n, "PE", 3, &err);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'smp0' (StreamingMaxPool): PE = 3 must divide NumChannels = 4; "
                       "allowed values: 1, 2, 4");
    tc_free(&t);
    /* (D, 1) is normalised to (1, D): ImgDim [10,1], PoolDim [3,1], PE 1,
     * ceil: 4 * 4 * 4 = 64 */
    t = smp_case(10, 1, 3, 1, 4);
    finn_node_set_attr_i(t.n, "CeilMode", 1, &err);
    SHAPE(&t, NOUT, 0, 1, 4, 1, 4);
    SHAPE(&t, FOUT, 0, 1, 4, 1, 4, 1);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 64);
    tc_free(&t);
}

static void test_smp_exec(void)
{
    /* x (1,4,4,1) = 0..15, pool 2: maxima 5, 7, 13, 15 */
    float x[16];
    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    int64_t xs[4] = {1, 4, 4, 1};
    const float want[] = {5, 7, 13, 15};
    tcase t = smp_case(4, 4, 2, 2, 1);
    finn_node_set_attr_s(t.n, "dataType", "INT8", &err);
    tc_input(&t, "x", ften(4, xs, x), "UINT4");
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 2, 2, 1);
    CHECK_STR(dt_of(&t, "y"), "UINT4");
    CHECK_STR(finn_node_attr_s(t.n, "dataType", ""), "UINT4");
    tc_free(&t);

    /* 1-D (1,1,5,1) = [3,1,4,1,5], pool 2: floor -> [3,4]; ceil -> the
     * last window holds only 5 -> [3,4,5] */
    const float x1[] = {3, 1, 4, 1, 5};
    const float want_floor[] = {3, 4}, want_ceil[] = {3, 4, 5};
    int64_t x1s[4] = {1, 1, 5, 1};
    for (int ceil_mode = 0; ceil_mode < 2; ceil_mode++) {
        t = smp_case(1, 5, 1, 2, 1);
        finn_node_set_attr_i(t.n, "CeilMode", ceil_mode, &err);
        tc_input(&t, "x", ften(4, x1s, x1), NULL);
        if (ceil_mode)
            CHECK_VALUES(tc_run(&t), want_ceil);
        else
            CHECK_VALUES(tc_run(&t), want_floor);
        tc_free(&t);
    }

    /* negative values: max of (-3, -7, -1, -2) per channel pair */
    const float xn[] = {-3, -8, -7, -6, -1, -5, -2, -4};
    const float wantn[] = {-1, -4};
    int64_t xns[4] = {1, 2, 2, 2};
    t = smp_case(2, 2, 2, 2, 2);
    tc_input(&t, "x", ften(4, xns, xn), "INT4");
    CHECK_VALUES(tc_run(&t), wantn);
    tc_free(&t);
}

/* StreamingMaxPool equals MaxPoolNHWC with kernel = stride, no pads. */
static void smp_vs_maxpool(int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw, int ceil_mode)
{
    int64_t xs[4] = {1, h, w, c}, pads[4] = {0, 0, 0, 0};
    size_t count = (size_t)(h * w * c);
    float *x = malloc(count * sizeof *x);
    for (size_t i = 0; i < count; i++)
        x[i] = rnd_int8();
    tcase a = smp_case(h, w, kh, kw, c);
    finn_node_set_attr_i(a.n, "CeilMode", ceil_mode, &err);
    finn_node_set_attr_s(a.n, "dataType", "INT8", &err);
    tc_input(&a, "x", ften(4, xs, x), "INT8");
    tcase b = tc_new("MaxPoolNHWC", QD, "mp");
    set_ints(b.n, "kernel_shape", kh, kw);
    set_ints(b.n, "strides", kh, kw);
    finn_node_set_attr_ints(b.n, "pads", pads, 4, &err);
    finn_node_set_attr_i(b.n, "ceil_mode", ceil_mode, &err);
    tc_input(&b, "x", ften(4, xs, x), "INT8");
    const finn_op *op = op_of(reg, a.n);
    const finn_tensor *yb = tc_run_in(full, &b);
    /* 2-D maps that PoolDim does not divide have no shape in FINN: run only */
    const finn_tensor *ya = NULL;
    if ((h % kh == 0 && w % kw == 0) || h == 1 || w == 1)
        ya = tc_run_in(full, &a);
    else if (!op->infer_datatypes(a.m, a.n, &err) && !finn_execute(full, a.m, a.ctx, &err))
        ya = finn_exec_ctx_get(a.ctx, "y");
    CHECK(ya && yb);
    if (ya && yb) {
        CHECK(finn_shape_equal(ya->ndim, ya->shape, yb->ndim, yb->shape));
        CHECK_EQ_INT(finn_tensor_nbytes(ya), finn_tensor_nbytes(yb));
        if (finn_tensor_nbytes(ya) == finn_tensor_nbytes(yb))
            CHECK(memcmp(ya->data, yb->data, finn_tensor_nbytes(ya)) == 0);
    }
    tc_free(&a);
    tc_free(&b);
    free(x);
}

static void test_smp_vs_maxpool(void)
{
    if (!full)
        return;
    smp_vs_maxpool(8, 8, 3, 2, 2, 0);
    smp_vs_maxpool(6, 9, 2, 3, 3, 0);
    smp_vs_maxpool(7, 7, 2, 2, 2, 1);
    smp_vs_maxpool(7, 9, 3, 3, 2, 0);
    smp_vs_maxpool(1, 10, 3, 1, 3, 1);
    smp_vs_maxpool(1, 11, 2, 1, 4, 0);
    smp_vs_maxpool(9, 1, 2, 3, 1, 0);
    smp_vs_maxpool(16, 16, 64, 2, 2, 0); /* CNV's pools */
}

/* ---- Pool ------------------------------------------------------------------ */

static tcase pool_case(const char *fn, const char *idt, const char *odt, int64_t pe)
{
    tcase t = tc_new("Pool", HD, "pool0");
    finn_node_set_attr_i(t.n, "Channels", 2, &err);
    finn_node_set_attr_i(t.n, "PE", pe, &err);
    set_ints(t.n, "KernelSize", 2, 2);
    finn_node_set_attr_s(t.n, "Function", fn, &err);
    set_ints(t.n, "OutImgDims", 2, 2);
    finn_node_set_attr_s(t.n, "InputDataType", idt, &err);
    finn_node_set_attr_s(t.n, "OutputDataType", odt, &err);
    return t;
}

static void test_pool(void)
{
    /* Channels 2, kernel 2x2 (K = 4), OutImgDims 2x2: in (1,2,2,8), out (1,2,2,2) */
    tcase t = pool_case("MaxPool", "UINT4", "UINT4", 1);
    SHAPE(&t, NIN, 0, 1, 2, 2, 8);
    SHAPE(&t, NOUT, 0, 1, 2, 2, 2);
    SHAPE(&t, FIN, 0, 1, 2, 2, 8, 1);
    SHAPE(&t, FOUT, 0, 1, 2, 2, 2, 1);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 4);
    /* cycles = (C * K / PE) * prod(OutImgDims) * BatchSize = 8 * 4 * 1 = 32 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 32);
    finn_node_set_attr_i(t.n, "PE", 2, &err);
    SHAPE(&t, FIN, 0, 1, 2, 2, 4, 2);
    SHAPE(&t, FOUT, 0, 1, 2, 2, 1, 2);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 8);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 8);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 16);
    finn_node_set_attr_i(t.n, "BatchSize", 3, &err);
    SHAPE(&t, NIN, 0, 3, 2, 2, 8);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 48);
    CHECK_EQ_INT(folding(&t), 0);
    finn_node_set_attr_i(t.n, "PE", 3, &err);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg,
              "node 'pool0' (Pool): PE = 3 must divide Channels = 2; allowed values: 1, 2");
    tc_free(&t);

    /* MaxPool: x (1,1,1,8) in (k, c) order = [1,7, 5,2, 3,3, 0,9]:
     * c0 = max(1,5,3,0) = 5, c1 = max(7,2,3,9) = 9 */
    const float x[] = {1, 7, 5, 2, 3, 3, 0, 9};
    int64_t xs[4] = {1, 1, 1, 8};
    const float want_max[] = {5, 9};
    t = pool_case("MaxPool", "UINT4", "UINT4", 1);
    set_ints(t.n, "OutImgDims", 1, 1);
    tc_input(&t, "x", ften(4, xs, x), "UINT4");
    CHECK_VALUES(tc_run(&t), want_max);
    Y_SHAPE(&t, 1, 1, 1, 2);
    CHECK_STR(dt_of(&t, "y"), "UINT4");
    tc_free(&t);

    /* QuantAvgPool UINT4 -> UINT4, K = 4: bitlen(15 * 4 = 60) = 6, shift
     * 6 - 4 = 2; c0 = (1+5+3+0) >> 2 = 9 >> 2 = 2; c1 = 21 >> 2 = 5 */
    const float want_avg[] = {2, 5};
    t = pool_case("QuantAvgPool", "UINT4", "UINT4", 1);
    set_ints(t.n, "OutImgDims", 1, 1);
    tc_input(&t, "x", ften(4, xs, x), "UINT4");
    CHECK_VALUES(tc_run(&t), want_avg);
    tc_free(&t);
    /* UINT4 -> UINT8: shift max(0, 6 - 8) = 0: plain sums 9, 21 */
    const float want_sum[] = {9, 21};
    t = pool_case("QuantAvgPool", "UINT4", "UINT8", 1);
    set_ints(t.n, "OutImgDims", 1, 1);
    tc_input(&t, "x", ften(4, xs, x), "UINT4");
    CHECK_VALUES(tc_run(&t), want_sum);
    CHECK_STR(dt_of(&t, "y"), "UINT8");
    tc_free(&t);
    /* signed INT4 -> INT4, shift 2, arithmetic (floor) shift:
     * c0 = -8 - 3 + 1 + 0 = -10 >> 2 = -3; c1 = -1 + 2 - 5 + 3 = -1 >> 2 = -1 */
    const float xs_[] = {-8, -1, -3, 2, 1, -5, 0, 3};
    const float want_s[] = {-3, -1};
    t = pool_case("QuantAvgPool", "INT4", "INT4", 1);
    set_ints(t.n, "OutImgDims", 1, 1);
    tc_input(&t, "x", ften(4, xs, xs_), "INT4");
    CHECK_VALUES(tc_run(&t), want_s);
    tc_free(&t);

    /* type rules of get_output_datatype */
    t = pool_case("MaxPool", "UINT4", "UINT8", 1);
    CHECK_EQ_INT(op_of(reg, t.n)->infer_datatypes(t.m, t.n, &err), -1);
    CHECK_STR(err.msg, "node 'pool0' (Pool): MaxPool needs OutputDataType = InputDataType, got "
                       "UINT8 and UINT4");
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), -1);
    tc_free(&t);
    t = pool_case("QuantAvgPool", "UINT4", "INT4", 1);
    CHECK_EQ_INT(op_of(reg, t.n)->infer_datatypes(t.m, t.n, &err), -1);
    CHECK_STR(err.msg, "node 'pool0' (Pool): QuantAvgPool cannot mix signed and unsigned types "
                       "(UINT4, INT4)");
    tc_free(&t);
    t = pool_case("AvgPool", "UINT4", "UINT4", 1);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), -1);
    int nd;
    int64_t s[FINN_MAX_DIMS];
    CHECK_EQ_INT(finn_hw_shape(reg, t.m, t.n, NIN, 0, &nd, s, &err), -1);
    CHECK_STR(err.msg,
              "node 'pool0' (Pool): Function 'AvgPool' is not one of MaxPool, QuantAvgPool");
    tc_free(&t);
}

/* ---- StreamingDataWidthConverter / StreamingFIFO ------------------------- */

static void test_dwc(void)
{
    /* shape (1,4,6), INT2: inWidth 6 -> 3 elements per word, outWidth 12 -> 6 */
    tcase t = tc_new("StreamingDataWidthConverter", HD, "dwc0");
    const int64_t shape[3] = {1, 4, 6};
    finn_node_set_attr_ints(t.n, "shape", shape, 3, &err);
    finn_node_set_attr_i(t.n, "inWidth", 6, &err);
    finn_node_set_attr_i(t.n, "outWidth", 12, &err);
    finn_node_set_attr_s(t.n, "dataType", "INT2", &err);
    SHAPE(&t, NIN, 0, 1, 4, 6);
    SHAPE(&t, NOUT, 0, 1, 4, 6);
    SHAPE(&t, FIN, 0, 1, 4, 2, 3);
    SHAPE(&t, FOUT, 0, 1, 4, 1, 6);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 6);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 12);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 0);
    CHECK_EQ_INT(folding(&t), 0);
    /* identity execution; FINN copies the input type into dataType */
    float x[24];
    for (int i = 0; i < 24; i++)
        x[i] = (float)(i % 4) - 2;
    tc_input(&t, "x", ften(3, shape, x), "INT3");
    const finn_tensor *y = tc_run(&t);
    check_values(y, x, 24, __LINE__);
    Y_SHAPE(&t, 1, 4, 6);
    CHECK_STR(dt_of(&t, "y"), "INT3");
    CHECK_STR(finn_node_attr_s(t.n, "dataType", ""), "INT3");
    /* INT3 now: 6 bits hold 2 elements, 12 hold 4: folded (1,4,3,2), (1,4,...)
     * -> 6 % 4 != 0: outWidth cannot fold */
    SHAPE(&t, FIN, 0, 1, 4, 3, 2);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'dwc0' (StreamingDataWidthConverter): outWidth = 12 holds 4 "
                       "INT3 values, which do not divide the last dimension 6");
    finn_node_set_attr_i(t.n, "inWidth", 5, &err);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg, "node 'dwc0' (StreamingDataWidthConverter): inWidth = 5 must be a "
                       "positive multiple of the element width 3");
    tc_free(&t);

    /* the input must have the attribute shape */
    t = tc_new("StreamingDataWidthConverter", HD, "dwc1");
    finn_node_set_attr_ints(t.n, "shape", shape, 3, &err);
    finn_node_set_attr_i(t.n, "inWidth", 6, &err);
    finn_node_set_attr_i(t.n, "outWidth", 12, &err);
    finn_node_set_attr_s(t.n, "dataType", "INT2", &err);
    const int64_t other[3] = {1, 6, 4};
    tc_input(&t, "x", ften(3, other, x), NULL);
    CHECK_EQ_INT(finn_execute(reg, t.m, t.ctx, &err), -1);
    CHECK_STR(err.msg, "node 'dwc1' (StreamingDataWidthConverter): input shape (1, 6, 4) does "
                       "not match shape (1, 4, 6)");
    tc_free(&t);
}

static void test_fifo(void)
{
    tcase t = tc_new("StreamingFIFO", HD, "fifo0");
    const int64_t normal[3] = {1, 4, 6}, folded[4] = {1, 4, 2, 3};
    finn_node_set_attr_i(t.n, "depth", 32, &err);
    finn_node_set_attr_ints(t.n, "normal_shape", normal, 3, &err);
    finn_node_set_attr_ints(t.n, "folded_shape", folded, 4, &err);
    finn_node_set_attr_s(t.n, "dataType", "UINT3", &err);
    SHAPE(&t, NIN, 0, 1, 4, 6);
    SHAPE(&t, NOUT, 0, 1, 4, 6);
    SHAPE(&t, FIN, 0, 1, 4, 2, 3);
    SHAPE(&t, FOUT, 0, 1, 4, 2, 3);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 9); /* 3 x 3 bits */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 9);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 0);
    CHECK_EQ_INT(folding(&t), 0);
    float x[24];
    for (int i = 0; i < 24; i++)
        x[i] = (float)(i % 8);
    tc_input(&t, "x", ften(3, normal, x), "UINT3");
    check_values(tc_run(&t), x, 24, __LINE__);
    CHECK_STR(dt_of(&t, "y"), "UINT3");
    finn_node_set_attr_i(t.n, "depth", 0, &err);
    int nd;
    int64_t s[FINN_MAX_DIMS];
    CHECK_EQ_INT(finn_hw_shape(reg, t.m, t.n, NIN, 0, &nd, s, &err), -1);
    CHECK_STR(err.msg, "node 'fifo0' (StreamingFIFO): depth = 0 is too low (at least 1)");
    tc_free(&t);
}

/* ---- StreamingConcat ------------------------------------------------------ */

static void test_concat(void)
{
    tcase t = tc_new("StreamingConcat", HD, "cat0");
    const int64_t elems[2] = {2, 3}, vecs[2] = {1, 2};
    finn_node_set_attr_ints(t.n, "ElemsPerStream", elems, 2, &err);
    finn_node_set_attr_ints(t.n, "numInputVectors", vecs, 2, &err);
    finn_node_set_attr_s(t.n, "inputDataType", "INT3", &err);
    SHAPE(&t, NIN, 0, 1, 2, 2);
    SHAPE(&t, NIN, 1, 1, 2, 3);
    SHAPE(&t, FIN, 1, 1, 2, 3);
    SHAPE(&t, NOUT, 0, 1, 2, 5);
    SHAPE(&t, FOUT, 0, 1, 2, 5);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 6);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 1), 9);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 2), -1);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 15);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 2); /* prod(numInputVectors) */
    /* a = [[1,2],[3,4]], b = [[5,6,7],[8,9,10]] -> rows [1,2,5,6,7], [3,4,8,9,10] */
    const float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8, 9, 10};
    const int64_t as[3] = {1, 2, 2}, bs[3] = {1, 2, 3};
    tc_input(&t, "a", ften(3, as, a), "INT3");
    tc_input(&t, "b", ften(3, bs, b), "INT3");
    const float want[] = {1, 2, 5, 6, 7, 3, 4, 8, 9, 10};
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 2, 5);
    CHECK_STR(dt_of(&t, "y"), "INT3");
    /* every input must carry inputDataType */
    finn_model_set_datatype(t.m, "b", finn_dt_int(4), &err);
    CHECK_EQ_INT(op_of(reg, t.n)->infer_datatypes(t.m, t.n, &err), -1);
    CHECK_STR(err.msg,
              "node 'cat0' (StreamingConcat): input 'b' is annotated INT4, inputDataType is INT3");
    tc_free(&t);
}

/* ---- UpsampleNearestNeighbour --------------------------------------------- */

static void test_upsample(void)
{
    tcase t = tc_new("UpsampleNearestNeighbour", HD, "up0");
    finn_node_set_attr_i(t.n, "OFMDim", 4, &err);
    finn_node_set_attr_i(t.n, "IFMDim", 2, &err);
    finn_node_set_attr_i(t.n, "NumChannels", 1, &err);
    finn_node_set_attr_s(t.n, "inputDataType", "INT8", &err);
    SHAPE(&t, NIN, 0, 1, 2, 2, 1);
    SHAPE(&t, NOUT, 0, 1, 4, 4, 1);
    SHAPE(&t, FIN, 0, 1, 2, 2, 1);
    SHAPE(&t, FOUT, 0, 1, 4, 4, 1);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 8);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 16); /* OFMDim^2 * batch */
    finn_node_set_attr_i(t.n, "numInputVectors", 3, &err);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 48);
    finn_node_set_attr_i(t.n, "numInputVectors", 1, &err);
    /* [[1,2],[3,4]] -> each value repeated 2x2 */
    const float x[] = {1, 2, 3, 4};
    const int64_t xs[4] = {1, 2, 2, 1};
    const float want[] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    tc_input(&t, "x", ften(4, xs, x), "UINT3");
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 4, 4, 1);
    CHECK_STR(dt_of(&t, "y"), "UINT3");
    CHECK_STR(finn_node_attr_s(t.n, "inputDataType", ""), "UINT3");
    tc_free(&t);

    /* 1-D (DimMode 1): (1,2,1,2) -> OFMDim 6, scale 3; cycles = OFMDim = 6 */
    t = tc_new("UpsampleNearestNeighbour", HD, "up1");
    finn_node_set_attr_i(t.n, "OFMDim", 6, &err);
    finn_node_set_attr_i(t.n, "IFMDim", 2, &err);
    finn_node_set_attr_i(t.n, "NumChannels", 2, &err);
    finn_node_set_attr_i(t.n, "DimMode", 1, &err);
    finn_node_set_attr_s(t.n, "inputDataType", "INT8", &err);
    SHAPE(&t, NIN, 0, 1, 2, 1, 2);
    SHAPE(&t, NOUT, 0, 1, 6, 1, 2);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 6);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, t.m, t.n, 0), 16);
    const float x1[] = {1, -1, 2, -2};
    const int64_t x1s[4] = {1, 2, 1, 2};
    const float want1[] = {1, -1, 1, -1, 1, -1, 2, -2, 2, -2, 2, -2};
    tc_input(&t, "x", ften(4, x1s, x1), "INT8");
    CHECK_VALUES(tc_run(&t), want1);
    tc_free(&t);
}

/* ---- DownSampler ------------------------------------------------------------ */

static tcase ds_case(int64_t idim, int64_t c, int64_t simd, int64_t stride)
{
    tcase t = tc_new("DownSampler", HD, "ds0");
    finn_node_set_attr_i(t.n, "ImgDim", idim, &err);
    finn_node_set_attr_i(t.n, "NumChannels", c, &err);
    finn_node_set_attr_i(t.n, "SIMD", simd, &err);
    finn_node_set_attr_i(t.n, "Stride", stride, &err);
    finn_node_set_attr_s(t.n, "inputDataType", "UINT8", &err);
    return t;
}

static void test_downsampler(void)
{
    /* ImgDim 5, stride 2: O = floor((5-1)/2) + 1 = 3 */
    tcase t = ds_case(5, 2, 2, 2);
    SHAPE(&t, NIN, 0, 1, 5, 5, 2);
    SHAPE(&t, NOUT, 0, 1, 3, 3, 2);
    SHAPE(&t, FIN, 0, 1, 5, 5, 1, 2);
    SHAPE(&t, FOUT, 0, 1, 3, 3, 1, 2);
    CHECK_EQ_INT(finn_hw_instream_width(reg, t.m, t.n, 0), 16);
    /* cycles = C/SIMD * batch * I^2 = 1 * 1 * 25 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 25);
    finn_node_set_attr_i(t.n, "SIMD", 1, &err);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 50);
    finn_node_set_attr_i(t.n, "is1D", 1, &err);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, t.m, t.n), 10); /* 2 * 5 */
    SHAPE(&t, NIN, 0, 1, 5, 1, 2);                       /* is1D_unitx defaults to 1 */
    SHAPE(&t, NOUT, 0, 1, 3, 1, 2);
    finn_node_set_attr_i(t.n, "is1D_unitx", 0, &err);
    SHAPE(&t, NIN, 0, 1, 1, 5, 2);
    SHAPE(&t, NOUT, 0, 1, 1, 3, 2);
    finn_node_set_attr_i(t.n, "SIMD", 3, &err);
    CHECK_EQ_INT(folding(&t), -1);
    CHECK_STR(err.msg,
              "node 'ds0' (DownSampler): SIMD = 3 must divide NumChannels = 2; allowed values: 1, 2");
    tc_free(&t);

    /* 2-D: x (1,5,5,1) = 0..24 -> out[y][x] = in[2y][2x] */
    float x[25];
    for (int i = 0; i < 25; i++)
        x[i] = (float)i;
    const int64_t xs[4] = {1, 5, 5, 1};
    const float want[] = {0, 2, 4, 10, 12, 14, 20, 22, 24};
    t = ds_case(5, 1, 1, 2);
    tc_input(&t, "x", ften(4, xs, x), "UINT5");
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 3, 3, 1);
    CHECK_STR(dt_of(&t, "y"), "UINT5");
    CHECK_STR(finn_node_attr_s(t.n, "inputDataType", ""), "UINT5");
    tc_free(&t);
    /* 1-D (1,1,7,1), not unit-x, stride 3: O = 6/3 + 1 = 3 -> [0,3,6] */
    const int64_t x1s[4] = {1, 1, 7, 1};
    const float want1[] = {0, 3, 6};
    t = ds_case(7, 1, 1, 3);
    finn_node_set_attr_i(t.n, "is1D", 1, &err);
    finn_node_set_attr_i(t.n, "is1D_unitx", 0, &err);
    tc_input(&t, "x", ften(4, x1s, x), NULL);
    CHECK_VALUES(tc_run(&t), want1);
    Y_SHAPE(&t, 1, 1, 3, 1);
    tc_free(&t);
}

/* ---- StreamingDataflowPartition ------------------------------------------ */

/* Child: cin (1,2,2,1) -> FMPadding [1,1,1,1] -> cmid (1,4,4,1)
 * -> StreamingMaxPool 2x2 -> cout (1,2,2,1), saved to `path`. */
static int write_child(const char *path)
{
    finn_model *c = finn_model_new("child", &err);
    push_name(&c->inputs, &c->n_inputs, "cin");
    push_name(&c->outputs, &c->n_outputs, "cout");
    const int64_t is[4] = {1, 2, 2, 1}, ms[4] = {1, 4, 4, 1}, os[4] = {1, 2, 2, 1};
    const int64_t pad[4] = {1, 1, 1, 1};
    finn_model_set_shape(c, "cin", FINN_ELEM_FLOAT, 4, is, &err);
    finn_model_set_shape(c, "cmid", FINN_ELEM_FLOAT, 4, ms, &err);
    finn_model_set_shape(c, "cout", FINN_ELEM_FLOAT, 4, os, &err);
    finn_node *p = finn_node_new("FMPadding", HD, "FMPadding_0", &err);
    finn_node_add_input(p, "cin", &err);
    finn_node_add_output(p, "cmid", &err);
    set_ints(p, "ImgDim", 2, 2);
    finn_node_set_attr_ints(p, "Padding", pad, 4, &err);
    finn_node_set_attr_i(p, "NumChannels", 1, &err);
    finn_node_set_attr_s(p, "inputDataType", "INT4", &err);
    finn_node_set_attr_s(p, "backend", "fpgadataflow", &err);
    finn_node *mp = finn_node_new("StreamingMaxPool", HD, "StreamingMaxPool_0", &err);
    finn_node_add_input(mp, "cmid", &err);
    finn_node_add_output(mp, "cout", &err);
    set_ints(mp, "ImgDim", 4, 4);
    set_ints(mp, "PoolDim", 2, 2);
    finn_node_set_attr_i(mp, "NumChannels", 1, &err);
    finn_node_set_attr_s(mp, "dataType", "INT4", &err);
    finn_node_set_attr_s(mp, "backend", "fpgadataflow", &err);
    int rc = finn_model_insert_node(c, 0, p, &err) || finn_model_insert_node(c, 1, mp, &err) ||
             finn_model_save(c, path, &err);
    finn_model_free(c);
    return rc;
}

static void test_sdp(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/partition_0.onnx", test_tmpdir());
    CHECK_EQ_INT(write_child(path), 0);
    /* x = [[-3,-1],[2,-4]] padded with zeros to 4x4; 2x2 windows each hold
     * one x value and three zeros: max(0, v) -> [0, 0, 2, 0] */
    const float x[] = {-3, -1, 2, -4};
    const int64_t xs[4] = {1, 2, 2, 1};
    const float want[] = {0, 0, 2, 0};
    tcase t = tc_new("StreamingDataflowPartition", HD, "sdp0");
    finn_node_remove_attr(t.n, "backend");
    finn_node_set_attr_s(t.n, "model", path, &err);
    tc_input(&t, "x", ften(4, xs, x), "INT4");
    CHECK_VALUES(tc_run(&t), want);
    Y_SHAPE(&t, 1, 2, 2, 1); /* from the child's output */
    /* only the node outputs by default */
    CHECK(finn_exec_ctx_get(t.ctx, "sdp0_cmid") == NULL);
    CHECK_EQ_INT(finn_exec_ctx_count(t.ctx), 2);
    /* full context: the other child tensors with the node name in front */
    finn_node_set_attr_i(t.n, "return_full_exec_context", 1, &err);
    CHECK_EQ_INT(finn_execute(reg, t.m, t.ctx, &err), 0);
    const finn_tensor *mid = finn_exec_ctx_get(t.ctx, "sdp0_cmid");
    CHECK(mid != NULL && finn_tensor_numel(mid) == 16);
    if (mid && finn_tensor_numel(mid) == 16) {
        CHECK_EQ_DBL(finn_tensor_get(mid, 5), -3); /* (1,1) = x(0,0) */
        CHECK_EQ_DBL(finn_tensor_get(mid, 0), 0);
    }
    CHECK(finn_exec_ctx_get(t.ctx, "sdp0_cin") != NULL);
    CHECK(finn_exec_ctx_get(t.ctx, "sdp0_cout") == NULL);
    /* a missing child file */
    finn_node_set_attr_s(t.n, "model", "/nonexistent/partition_9.onnx", &err);
    CHECK_EQ_INT(finn_execute(reg, t.m, t.ctx, &err), -1);
    CHECK_CONTAINS(err.msg, "node 'sdp0' (StreamingDataflowPartition): child model: ");
    CHECK_CONTAINS(err.msg, "/nonexistent/partition_9.onnx");
    tc_free(&t);
}

int main(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hw_stream.so", test_env("FINN_PLUGIN_DIR", "."));
    reg = finn_registry_new(&err);
    if (!reg || finn_plugin_load(reg, path, &err)) {
        fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
        finn_registry_free(reg);
        return 1;
    }
    /* Im2Col and MaxPoolNHWC come from qonnx_ops through the standard
     * search path; if another (unfinished) plugin there cannot load, the
     * two plugins needed are loaded by name instead. */
    full = finn_registry_new(&err);
    if (full && finn_plugin_load_default(full, &err)) {
        fprintf(stderr, "finn_plugin_load_default: %s; loading qonnx_ops and hw_stream only\n",
                err.msg);
        finn_registry_free(full);
        full = finn_registry_new(&err);
        char qpath[4096];
        snprintf(qpath, sizeof qpath, "%s/qonnx_ops.so", test_env("FINN_PLUGIN_DIR", "."));
        if (full && (finn_plugin_load(full, qpath, &err) || finn_plugin_load(full, path, &err)))
            fprintf(stderr, "%s\n", err.msg);
    }
    CHECK(full && finn_registry_op(full, QD, "Im2Col") && finn_registry_op(full, QD, "MaxPoolNHWC") &&
          finn_registry_op(full, HD, "ConvolutionInputGenerator"));
    if (full && !finn_registry_op(full, QD, "Im2Col")) {
        finn_registry_free(full);
        full = NULL;
    }
    test_registration();
    test_swg_shapes();
    test_swg_exec();
    test_swg_vs_im2col();
    test_fmpadding();
    test_smp_shapes();
    test_smp_exec();
    test_smp_vs_maxpool();
    test_pool();
    test_dwc();
    test_fifo();
    test_concat();
    test_upsample();
    test_downsampler();
    test_sdp();
    finn_registry_free(full);
    finn_registry_free(reg);
    return test_done();
}
