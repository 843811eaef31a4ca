/*
 * test_hwconv.c - the convert_to_hw rules (finn/hw_transforms.h) on small
 * hand-built graphs: exact resulting node sequence, names, attributes (in
 * onnx.helper's sorted order) and refusals.
 *
 * Shape/datatype inference needs the standard and QONNX op plugins; the HW
 * op plugins (hw_compute, hw_stream) are used when present, otherwise
 * inert stand-ins are registered for the HW op types (structure tests do
 * not need their inference).
 */
#include "finn/hw.h"
#include "finn/hw_transforms.h"
#include "finn/plugin.h"
#include "finn/registry.h"
#include "finn/transforms.h"
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *test_env(const char *name, const char *fallback);

static finn_error err;

/* ---- registry --------------------------------------------------------------------- */

static int stub_shapes(finn_model *m, finn_node *n, finn_error *e)
{
    (void)m, (void)n, (void)e;
    return 0;
}

static int stub_dts(finn_model *m, finn_node *n, finn_error *e)
{
    (void)m, (void)n, (void)e;
    return 0;
}

static const char *const HW_TYPES[] = {
    "MVAU", "VVAU", "Thresholding", "ChannelwiseOp", "LabelSelect", "AddStreams",
    "DuplicateStreams", "GlobalAccPool", "StreamingEltwise", "Lookup",
    "ConvolutionInputGenerator", "FMPadding", "StreamingMaxPool", "Pool",
    "StreamingConcat", "UpsampleNearestNeighbour", "DownSampler", NULL};
static finn_op stubs[32];
static const finn_hw_op STUB_HW = {"stub", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

static finn_registry *make_registry(void)
{
    finn_registry *reg = finn_registry_new(&err);
    const char *dir = test_env("FINN_PLUGIN_DIR", "lib/finn-run/plugins");
    static const char *const REQ[] = {"onnx_math", "onnx_nn", "qonnx_ops"};
    static const char *const OPT[] = {"hw_compute", "hw_stream"};
    char path[1024];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s.so", dir, REQ[i]);
        if (finn_plugin_load(reg, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            finn_registry_free(reg);
            return NULL;
        }
    }
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.so", dir, OPT[i]);
        if (finn_plugin_load(reg, path, &err))
            fprintf(stderr, "note: %s not loaded (%s); using stand-ins\n", OPT[i], err.msg);
    }
    size_t k = 0;
    for (size_t i = 0; HW_TYPES[i]; i++)
        if (!finn_registry_op(reg, FINN_HW_DOMAIN, HW_TYPES[i])) {
            stubs[k] = (finn_op){FINN_HW_DOMAIN, HW_TYPES[i], stub_shapes, stub_dts, NULL,
                                 &STUB_HW};
            finn_registry_add_op(reg, &stubs[k++], &err);
        }
    return reg;
}

/* ---- graph building ------------------------------------------------------------------ */

static finn_datatype DT(const char *name)
{
    finn_datatype d;
    finn_dt_parse(name, &d, &err);
    return d;
}

static finn_model *new_model(void)
{
    finn_model *m = finn_model_new("g", &err);
    finn_model_set_opset(m, "", 13, &err);
    return m;
}

/* value with shape (nd dims from varargs), datatype (NULL = none), layout */
static void val(finn_model *m, const char *name, const char *dt, const char *layout, int nd,
                ...)
{
    int64_t s[8];
    va_list ap;
    va_start(ap, nd);
    for (int i = 0; i < nd; i++)
        s[i] = va_arg(ap, int);
    va_end(ap);
    finn_model_get_or_add_value(m, name, &err)->in_value_info = true;
    finn_model_set_shape(m, name, FINN_ELEM_FLOAT, nd, s, &err);
    if (dt)
        finn_model_set_datatype(m, name, DT(dt), &err);
    if (layout)
        finn_model_set_layout(m, name, layout, &err);
}

static void add_io(char ***arr, size_t *n, const char *name)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = strdup(name);
}

static void graph_in(finn_model *m, const char *name)
{
    add_io(&m->inputs, &m->n_inputs, name);
}

static void graph_out(finn_model *m, const char *name)
{
    add_io(&m->outputs, &m->n_outputs, name);
}

/* initializer from doubles */
static void init(finn_model *m, const char *name, const char *dt, const double *v, int nd, ...)
{
    int64_t s[8];
    va_list ap;
    va_start(ap, nd);
    for (int i = 0; i < nd; i++)
        s[i] = va_arg(ap, int);
    va_end(ap);
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, nd, s, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++)
        finn_tensor_set(t, i, v ? v[i] : (double)i);
    finn_model_set_initializer(m, name, t, &err);
    if (dt)
        finn_model_set_datatype(m, name, DT(dt), &err);
}

/* node: ins/outs are comma-separated lists */
static finn_node *node(finn_model *m, const char *op, const char *domain, const char *name,
                       const char *ins, const char *outs)
{
    finn_node *n = finn_node_new(op, domain, name, &err);
    char buf[256];
    for (int pass = 0; pass < 2; pass++) {
        snprintf(buf, sizeof buf, "%s", pass ? outs : ins);
        if (!buf[0])
            continue;
        /* "a,,b": an empty name is an omitted optional input */
        for (char *tok = buf, *end;; tok = end + 1) {
            end = strchr(tok, ',');
            if (end)
                *end = 0;
            pass ? finn_node_add_output(n, tok, &err) : finn_node_add_input(n, tok, &err);
            if (!end)
                break;
        }
    }
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

static void ints(finn_node *n, const char *name, int count, ...)
{
    int64_t v[8];
    va_list ap;
    va_start(ap, count);
    for (int i = 0; i < count; i++)
        v[i] = va_arg(ap, int);
    va_end(ap);
    finn_node_set_attr_ints(n, name, v, (size_t)count, &err);
}

static finn_node *mt(finn_model *m, const char *name, const char *in, const char *th,
                     const char *out, const char *odt, double bias)
{
    finn_node *n = node(m, "MultiThreshold", "qonnx.custom_op.general", name, "", out);
    finn_node_add_input(n, in, &err);
    finn_node_add_input(n, th, &err);
    finn_node_set_attr_s(n, "out_dtype", odt, &err);
    finn_node_set_attr_f(n, "out_bias", (float)bias, &err);
    return n;
}

/* ---- checks ------------------------------------------------------------------------------- */

/* op types joined with spaces */
static char *ops(const finn_model *m)
{
    static char buf[1024];
    buf[0] = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        strcat(buf, i ? " " : "");
        strcat(buf, m->nodes[i]->op_type);
    }
    return buf;
}

/* attribute names in stored order joined by ',' */
static char *attr_names(const finn_node *n)
{
    static char buf[1024];
    buf[0] = 0;
    for (size_t i = 0; i < n->n_attrs; i++) {
        strcat(buf, i ? "," : "");
        strcat(buf, n->attrs[i].name);
    }
    return buf;
}

static char *ints_str(const finn_node *n, const char *name)
{
    static char buf[256];
    const finn_attr *a = finn_node_attr(n, name);
    if (!a || a->type != FINN_ATTR_INTS)
        return "(not INTS)";
    buf[0] = 0;
    for (size_t i = 0; i < a->n; i++)
        sprintf(buf + strlen(buf), "%s%lld", i ? "," : "", (long long)a->ints[i]);
    return buf;
}

static long long attr_int(const finn_node *n, const char *name)
{
    const finn_attr *a = finn_node_attr(n, name);
    return a && a->type == FINN_ATTR_INT ? (long long)a->i : -999999;
}

static const char *attr_str(const finn_node *n, const char *name)
{
    const finn_attr *a = finn_node_attr(n, name);
    return a && a->type == FINN_ATTR_STRING ? a->s : "(not STRING)";
}

static char *shape_str(const finn_model *m, const char *t)
{
    static char buf[128];
    const finn_value *v = finn_model_value(m, t);
    return v ? (char *)finn_shape_str(v->ndim, v->shape, buf, sizeof buf) : "(none)";
}

static const char *dt_of(const finn_model *m, const char *t)
{
    static char buf[FINN_DT_NAME_MAX];
    return finn_dt_name(finn_model_datatype(m, t), buf, sizeof buf);
}

static const char *layout_of(const finn_model *m, const char *t)
{
    static char buf[16];
    return finn_model_layout(m, t, buf, sizeof buf);
}

static int run(const finn_registry *reg, finn_model *m, finn_hw_rule_fn fn,
               finn_hw_refusals *ref)
{
    int rc = finn_hw_transform(reg, m, fn, ref, &err);
    if (rc)
        fprintf(stderr, "transform failed: %s\n", err.msg);
    return rc;
}

/* ---- Thresholding ----------------------------------------------------------------------------- */

static void test_thresholding_nc(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "UINT4", "NC", 2, 1, 4);
    val(m, "y", "INT2", "NC", 2, 1, 4);
    graph_in(m, "x");
    graph_out(m, "y");
    init(m, "T", "INT5", NULL, 2, 4, 3);
    mt(m, "MT0", "x", "T", "y", "INT2", -2);
    finn_hw_refusals ref = {0};
    CHECK_EQ_INT(run(reg, m, finn_infer_thresholding_layer, &ref), 0);
    CHECK_STR(ops(m), "Thresholding");
    CHECK_EQ_INT(ref.n, 0);
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "Thresholding_MT0");
    CHECK_STR(n->domain, "finn.custom_op.fpgadataflow");
    /* onnx.helper.make_node sorts attributes: upper case before lower case */
    CHECK_STR(attr_names(n), "ActVal,NumChannels,PE,backend,inputDataType,numInputVectors,"
                             "numSteps,outputDataType,weightDataType");
    CHECK_EQ_INT(attr_int(n, "ActVal"), -2);
    CHECK_EQ_INT(attr_int(n, "NumChannels"), 4);
    CHECK_EQ_INT(attr_int(n, "PE"), 1);
    CHECK_EQ_INT(attr_int(n, "numSteps"), 3);
    CHECK_STR(attr_str(n, "backend"), "fpgadataflow");
    CHECK_STR(attr_str(n, "inputDataType"), "UINT4");
    CHECK_STR(attr_str(n, "weightDataType"), "INT5");
    CHECK_STR(attr_str(n, "outputDataType"), "INT2");
    CHECK_STR(ints_str(n, "numInputVectors"), "1");
    CHECK_STR(n->inputs[0], "x");
    CHECK_STR(n->inputs[1], "T");
    CHECK_STR(n->outputs[0], "y");
    finn_hw_refusals_clear(&ref);
    finn_model_free(m);
}

static void test_thresholding_nchw(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "UINT8", "NCHW", 4, 1, 3, 2, 5);
    val(m, "y", "INT8", "NCHW", 4, 1, 3, 2, 5);
    graph_in(m, "x");
    graph_out(m, "y");
    init(m, "T", "UINT8", NULL, 2, 3, 255);
    mt(m, "MT0", "x", "T", "y", "INT8", -128);
    CHECK_EQ_INT(run(reg, m, finn_infer_thresholding_layer, NULL), 0);
    CHECK_STR(ops(m), "Transpose Thresholding Transpose");
    finn_node *t0 = m->nodes[0], *th = m->nodes[1], *t1 = m->nodes[2];
    CHECK_STR(ints_str(t0, "perm"), "0,2,3,1");
    CHECK_STR(ints_str(t1, "perm"), "0,3,1,2");
    CHECK_STR(t0->inputs[0], "x");
    CHECK_STR(th->inputs[0], t0->outputs[0]);
    CHECK_STR(th->outputs[0], t1->inputs[0]);
    CHECK_STR(t1->outputs[0], "y");
    CHECK_STR(shape_str(m, th->inputs[0]), "(1, 2, 5, 3)");
    CHECK_STR(shape_str(m, th->outputs[0]), "(1, 2, 5, 3)");
    CHECK_STR(layout_of(m, th->inputs[0]), "NHWC");
    CHECK_STR(layout_of(m, th->outputs[0]), "NHWC");
    CHECK_STR(dt_of(m, th->inputs[0]), "UINT8");
    CHECK_STR(dt_of(m, th->outputs[0]), "INT8");
    CHECK_EQ_INT(attr_int(th, "NumChannels"), 3);
    CHECK_EQ_INT(attr_int(th, "numSteps"), 255);
    CHECK_EQ_INT(attr_int(th, "ActVal"), -128);
    CHECK_STR(ints_str(th, "numInputVectors"), "1,2,5");

    /* the builder sequence then drops the inverse pair Transpose(0,3,1,2) ->
     * Transpose(0,2,3,1) that a following NHWC consumer brings */
    finn_model_free(m);
}

static void test_thresholding_refusals(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", NULL, "NC", 2, 1, 4); /* FLOAT32 */
    val(m, "x2", "INT4", "NC", 2, 1, 4);
    val(m, "y", "INT2", "NC", 2, 1, 4);
    val(m, "y2", "UINT2", "NC", 2, 1, 4);
    graph_in(m, "x");
    graph_in(m, "x2");
    graph_out(m, "y");
    graph_out(m, "y2");
    init(m, "T", "INT5", NULL, 2, 4, 3);
    init(m, "T2", "INT5", NULL, 2, 4, 3);
    mt(m, "MT_float", "x", "T", "y", "INT2", -2);
    finn_node *s = mt(m, "MT_scale", "x2", "T2", "y2", "UINT2", 0);
    finn_node_set_attr_f(s, "out_scale", 2.0f, &err);
    finn_hw_refusals ref = {0};
    CHECK_EQ_INT(run(reg, m, finn_infer_thresholding_layer, &ref), 0);
    CHECK_STR(ops(m), "MultiThreshold MultiThreshold");
    CHECK_EQ_INT(ref.n, 2);
    if (ref.n == 2) {
        CHECK_STR(ref.items[0].node, "MT_float");
        CHECK_STR(ref.items[0].op_type, "MultiThreshold");
        CHECK_STR(ref.items[0].reason, "input 'x' has datatype FLOAT32, not an integer type");
        CHECK_STR(ref.items[1].node, "MT_scale");
        CHECK_STR(ref.items[1].reason, "out_scale 2 unsupported (must be 1)");
    }
    char *json = NULL;
    CHECK_EQ_INT(finn_hw_refusals_json(&ref, &json, &err), 0);
    CHECK_STR(json, "[\n  {\n    \"node\": \"MT_float\",\n    \"op_type\": \"MultiThreshold\",\n"
                    "    \"reason\": \"input 'x' has datatype FLOAT32, not an integer type\"\n"
                    "  },\n  {\n    \"node\": \"MT_scale\",\n    \"op_type\": "
                    "\"MultiThreshold\",\n    \"reason\": \"out_scale 2 unsupported (must be "
                    "1)\"\n  }\n]\n");
    free(json);
    finn_hw_refusals_clear(&ref);
    CHECK_EQ_INT(finn_hw_refusals_json(&ref, &json, &err), 0);
    CHECK_STR(json, "[]\n");
    free(json);
    finn_model_free(m);
}

/* ---- MVAU ------------------------------------------------------------------------------------------ */

static void test_mvau_quantized(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT2", "NC", 2, 1, 8);
    val(m, "mm", "INT32", "NC", 2, 1, 4);
    val(m, "y", "INT2", "NC", 2, 1, 4);
    val(m, "z", "INT32", "NC", 2, 1, 3);
    graph_in(m, "x");
    graph_out(m, "z");
    init(m, "W", "INT2", NULL, 2, 8, 4);
    init(m, "T", "INT32", NULL, 2, 4, 3);
    init(m, "W2", "INT2", NULL, 2, 4, 3);
    node(m, "MatMul", "", "MatMul_0", "x,W", "mm");
    mt(m, "MT_0", "mm", "T", "y", "INT2", -2);
    node(m, "MatMul", "", "MatMul_1", "y,W2", "z");
    CHECK_EQ_INT(run(reg, m, finn_infer_quantized_matrix_vector_activation, NULL), 0);
    CHECK_STR(ops(m), "MVAU MVAU");
    finn_node *a = m->nodes[0], *b = m->nodes[1];
    CHECK_STR(a->name, "MVAU_MatMul_0");
    CHECK_STR(attr_names(a), "ActVal,MH,MW,PE,SIMD,backend,binaryXnorMode,inputDataType,"
                             "noActivation,numInputVectors,outputDataType,weightDataType");
    CHECK_EQ_INT(a->n_inputs, 3);
    CHECK_STR(a->inputs[2], "T");
    CHECK_STR(a->outputs[0], "y");
    CHECK_EQ_INT(attr_int(a, "MW"), 8);
    CHECK_EQ_INT(attr_int(a, "MH"), 4);
    CHECK_EQ_INT(attr_int(a, "PE"), 1);
    CHECK_EQ_INT(attr_int(a, "SIMD"), 1);
    CHECK_EQ_INT(attr_int(a, "ActVal"), -2);
    CHECK_EQ_INT(attr_int(a, "binaryXnorMode"), 0);
    CHECK_EQ_INT(attr_int(a, "noActivation"), 0);
    CHECK_STR(attr_str(a, "inputDataType"), "INT2");
    CHECK_STR(attr_str(a, "weightDataType"), "INT2");
    CHECK_STR(attr_str(a, "outputDataType"), "INT2");
    CHECK_STR(ints_str(a, "numInputVectors"), "1");
    /* no MultiThreshold after the second: matmul only */
    CHECK_STR(b->name, "MVAU_MatMul_1");
    CHECK_EQ_INT(b->n_inputs, 2);
    CHECK_STR(b->outputs[0], "z");
    CHECK_EQ_INT(attr_int(b, "noActivation"), 1);
    CHECK_EQ_INT(attr_int(b, "ActVal"), 0);
    CHECK_EQ_INT(attr_int(b, "MW"), 4);
    CHECK_EQ_INT(attr_int(b, "MH"), 3);
    CHECK_STR(attr_str(b, "outputDataType"), "INT32");
    CHECK(finn_model_value(m, "mm") == NULL); /* cleanup dropped the MatMul output */
    finn_model_free(m);
}

static void test_mvau_bipolar_and_conv(const finn_registry *reg)
{
    /* conv-shaped input: numInputVectors = [1, OH, OW]; a BIPOLAR output with
     * out_scale 2, out_bias -1 gets ActVal 0 */
    finn_model *m = new_model();
    val(m, "x", "UINT2", "NHWC", 4, 1, 3, 3, 6);
    val(m, "mm", "INT32", "NHWC", 4, 1, 3, 3, 2);
    val(m, "y", "BIPOLAR", "NHWC", 4, 1, 3, 3, 2);
    graph_in(m, "x");
    graph_out(m, "y");
    init(m, "W", "INT3", NULL, 2, 6, 2);
    init(m, "T", "INT32", NULL, 2, 1, 1);
    node(m, "MatMul", "", "mm0", "x,W", "mm");
    finn_node *t = mt(m, "mt0", "mm", "T", "y", "BIPOLAR", -1);
    finn_node_set_attr_f(t, "out_scale", 2.0f, &err);
    CHECK_EQ_INT(run(reg, m, finn_infer_quantized_matrix_vector_activation, NULL), 0);
    CHECK_STR(ops(m), "MVAU");
    finn_node *a = m->nodes[0];
    CHECK_EQ_INT(attr_int(a, "ActVal"), 0);
    CHECK_STR(attr_str(a, "outputDataType"), "BIPOLAR");
    CHECK_STR(attr_str(a, "inputDataType"), "UINT2");
    CHECK_STR(attr_str(a, "weightDataType"), "INT3");
    CHECK_STR(ints_str(a, "numInputVectors"), "1,3,3");
    finn_model_free(m);

    /* float input and a signed output with a positive bias are refused */
    m = new_model();
    val(m, "x", "FLOAT32", "NC", 2, 1, 8);
    val(m, "x2", "INT4", "NC", 2, 1, 8);
    val(m, "mm2", "INT32", "NC", 2, 1, 4);
    val(m, "y", "FLOAT32", "NC", 2, 1, 4);
    val(m, "y2", "INT2", "NC", 2, 1, 4);
    graph_in(m, "x");
    graph_in(m, "x2");
    graph_out(m, "y");
    graph_out(m, "y2");
    init(m, "W", "INT2", NULL, 2, 8, 4);
    init(m, "W2", "INT2", NULL, 2, 8, 4);
    init(m, "T", "INT32", NULL, 2, 4, 3);
    node(m, "MatMul", "", "mm_float", "x,W", "y");
    node(m, "MatMul", "", "mm_bias", "x2,W2", "mm2");
    mt(m, "mt_bias", "mm2", "T", "y2", "INT2", 1);
    finn_hw_refusals ref = {0};
    CHECK_EQ_INT(run(reg, m, finn_infer_quantized_matrix_vector_activation, &ref), 0);
    CHECK_STR(ops(m), "MatMul MatMul MultiThreshold");
    CHECK_EQ_INT(ref.n, 2);
    if (ref.n == 2) {
        CHECK_STR(ref.items[0].node, "mm_float");
        CHECK_STR(ref.items[0].reason, "input 'x' has datatype FLOAT32, not an integer type");
        CHECK_STR(ref.items[1].node, "mm_bias");
        CHECK_STR(ref.items[1].reason,
                  "MultiThreshold 'mt_bias': signed output INT2 needs out_bias < 0, got 1");
    }
    finn_hw_refusals_clear(&ref);
    finn_model_free(m);
}

static void test_mvau_binary(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "BINARY", "NC", 2, 1, 16);
    val(m, "mm", "UINT32", "NC", 2, 1, 8);
    val(m, "y", "BINARY", "NC", 2, 1, 8);
    val(m, "z", "UINT32", "NC", 2, 1, 4);
    graph_in(m, "x");
    graph_out(m, "z");
    init(m, "W", "BINARY", NULL, 2, 16, 8);
    init(m, "T", "UINT32", NULL, 2, 8, 1);
    init(m, "W2", "BINARY", NULL, 2, 8, 4);
    node(m, "XnorPopcountMatMul", "qonnx.custom_op.general", "Xnor_0", "x,W", "mm");
    mt(m, "MT_0", "mm", "T", "y", "BINARY", 0);
    node(m, "XnorPopcountMatMul", "qonnx.custom_op.general", "Xnor_1", "y,W2", "z");
    CHECK_EQ_INT(run(reg, m, finn_infer_binary_matrix_vector_activation, NULL), 0);
    CHECK_STR(ops(m), "MVAU MVAU");
    finn_node *a = m->nodes[0], *b = m->nodes[1];
    CHECK_STR(a->name, "Xnor_0"); /* the binary rule keeps the old name */
    CHECK_EQ_INT(attr_int(a, "binaryXnorMode"), 1);
    CHECK_EQ_INT(attr_int(a, "noActivation"), 0);
    CHECK_EQ_INT(attr_int(a, "ActVal"), 0);
    CHECK_EQ_INT(attr_int(a, "MW"), 16);
    CHECK_EQ_INT(attr_int(a, "MH"), 8);
    CHECK_STR(attr_str(a, "inputDataType"), "BINARY");
    CHECK_STR(attr_str(a, "weightDataType"), "BINARY");
    CHECK_STR(attr_str(a, "outputDataType"), "BINARY");
    CHECK_STR(a->outputs[0], "y");
    CHECK_STR(b->name, "Xnor_1");
    CHECK_EQ_INT(attr_int(b, "noActivation"), 1);
    CHECK_STR(attr_str(b, "outputDataType"), "UINT32");
    finn_model_free(m);
}

static void test_vvau(const finn_registry *reg)
{
    /* depthwise 2x2 kernel on C = 2: sparse W (8, 2), W[(k*2 + c)][c] = 10*c + k */
    finn_model *m = new_model();
    val(m, "x", "INT4", "NHWC", 4, 1, 3, 3, 8);
    val(m, "y", "INT32", "NHWC", 4, 1, 3, 3, 2);
    graph_in(m, "x");
    graph_out(m, "y");
    double w[16] = {0};
    for (int k = 0; k < 4; k++)
        for (int c = 0; c < 2; c++)
            w[(k * 2 + c) * 2 + c] = 10 * c + k;
    init(m, "W", "INT6", w, 2, 8, 2);
    finn_model_set_annotation(m, "W", "tensor_sparsity", "{'dw': {'kernel_shape': [2, 2]}}",
                              &err);
    node(m, "MatMul", "", "dw", "x,W", "y");
    /* the quantized MVAU rule leaves it alone */
    CHECK_EQ_INT(run(reg, m, finn_infer_quantized_matrix_vector_activation, NULL), 0);
    CHECK_STR(ops(m), "MatMul");
    CHECK_EQ_INT(run(reg, m, finn_infer_vector_vector_activation, NULL), 0);
    CHECK_STR(ops(m), "VVAU");
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "VVAU_dw");
    CHECK_STR(attr_names(n), "ActVal,Channels,Dim,Kernel,PE,backend,inputDataType,"
                             "noActivation,outputDataType,weightDataType");
    CHECK_EQ_INT(attr_int(n, "PE"), 2);
    CHECK_EQ_INT(attr_int(n, "Channels"), 2);
    CHECK_STR(ints_str(n, "Dim"), "3,3");
    CHECK_STR(ints_str(n, "Kernel"), "2,2");
    CHECK_EQ_INT(attr_int(n, "noActivation"), 1);
    CHECK_STR(attr_str(n, "outputDataType"), "INT32");
    const finn_tensor *d = finn_model_initializer(m, "W");
    CHECK_STR(shape_str(m, "W"), "(2, 1, 2, 2)");
    if (d && finn_tensor_numel(d) == 8) {
        /* dense[c][0][ky][kx] = 10*c + (ky*2 + kx) */
        CHECK_EQ_DBL(finn_tensor_get(d, 0), 0);
        CHECK_EQ_DBL(finn_tensor_get(d, 3), 3);
        CHECK_EQ_DBL(finn_tensor_get(d, 4), 10);
        CHECK_EQ_DBL(finn_tensor_get(d, 7), 13);
    }
    CHECK_STR(dt_of(m, "W"), "INT6");
    finn_model_free(m);
}

/* ---- LabelSelect, ChannelwiseOp ---------------------------------------------------------------------- */

static void test_label_select(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT8", "NC", 2, 1, 10);
    val(m, "vals", NULL, "NC", 2, 1, 3);
    val(m, "idx", "UINT32", "NC", 2, 1, 3);
    graph_in(m, "x");
    graph_out(m, "idx");
    double k[1] = {3};
    init(m, "K", NULL, k, 1, 1);
    finn_node *t = node(m, "TopK", "", "TopK_0", "x,K", "vals,idx");
    finn_node_set_attr_i(t, "axis", -1, &err);
    CHECK_EQ_INT(run(reg, m, finn_infer_label_select_layer, NULL), 0);
    CHECK_STR(ops(m), "LabelSelect");
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "LabelSelect_TopK_0");
    CHECK_EQ_INT(n->n_inputs, 1);
    CHECK_STR(n->outputs[0], "idx");
    CHECK_EQ_INT(n->n_outputs, 1);
    CHECK_EQ_INT(attr_int(n, "Labels"), 10);
    CHECK_EQ_INT(attr_int(n, "K"), 3);
    CHECK_EQ_INT(attr_int(n, "PE"), 1);
    CHECK_STR(attr_str(n, "inputDataType"), "INT8");
    CHECK_STR(ints_str(n, "numInputVectors"), "1");
    finn_model_free(m);
}

static void test_channelwise(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT4", "NC", 2, 1, 4);
    val(m, "a", NULL, "NC", 2, 1, 4);
    val(m, "b", NULL, "NC", 2, 1, 4);
    graph_in(m, "x");
    graph_out(m, "b");
    double c[4] = {1, 2, 3, -1};
    init(m, "C", NULL, c, 2, 1, 4);
    double s[1] = {3};
    init(m, "S", NULL, s, 0);
    node(m, "Mul", "", "mul0", "x,C", "a");
    node(m, "Add", "", "add0", "a,S", "b");
    CHECK_EQ_INT(run(reg, m, finn_infer_channelwise_linear_layer, NULL), 0);
    CHECK_STR(ops(m), "ChannelwiseOp ChannelwiseOp");
    finn_node *mu = m->nodes[0], *ad = m->nodes[1];
    CHECK_STR(mu->name, "ChannelwiseOp_mul0");
    CHECK_STR(attr_names(mu), "Func,NumChannels,PE,backend,inputDataType,numInputVectors,"
                              "outputDataType,paramDataType");
    CHECK_STR(attr_str(mu, "Func"), "mul");
    CHECK_EQ_INT(attr_int(mu, "NumChannels"), 4);
    /* params [-1, 3] -> INT3; INT4 [-8, 7] times [-1, 3] -> [-24, 21] -> INT6 */
    CHECK_STR(attr_str(mu, "paramDataType"), "INT3");
    CHECK_STR(attr_str(mu, "outputDataType"), "INT6");
    CHECK_STR(shape_str(m, "C"), "(4,)");
    /* scalar 3 broadcast to (4,): UINT2; INT6 [-32, 31] + 3 -> [-29, 34] -> INT7 */
    CHECK_STR(attr_str(ad, "Func"), "add");
    CHECK_STR(attr_str(ad, "inputDataType"), "INT6");
    CHECK_STR(attr_str(ad, "paramDataType"), "UINT2");
    CHECK_STR(attr_str(ad, "outputDataType"), "INT7");
    const finn_tensor *st = finn_model_initializer(m, "S");
    CHECK_STR(shape_str(m, "S"), "(4,)");
    if (st && finn_tensor_numel(st) == 4)
        CHECK_EQ_DBL(finn_tensor_get(st, 3), 3);
    CHECK_STR(dt_of(m, "a"), "INT6");
    finn_model_free(m);
}

/* ---- sliding windows ---------------------------------------------------------------------------------- */

static finn_node *im2col(finn_model *m, const char *name, const char *in, const char *out,
                         int k, int s, int pad)
{
    finn_node *n = node(m, "Im2Col", "qonnx.custom_op.general", name, in, out);
    ints(n, "kernel_size", 2, k, k);
    ints(n, "stride", 2, s, s);
    ints(n, "pad_amount", 4, pad, pad, pad, pad);
    ints(n, "dilations", 2, 1, 1);
    return n;
}

static void test_conv_inp_gen(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT2", "NHWC", 4, 1, 5, 5, 3);
    val(m, "a", "INT2", "NHWC", 4, 1, 3, 3, 27);
    val(m, "b", "INT2", "NHWC", 4, 1, 5, 5, 27);
    val(m, "c", "INT2", "NHWC", 4, 1, 3, 3, 3);
    graph_in(m, "x");
    graph_out(m, "a");
    graph_out(m, "b");
    graph_out(m, "c");
    im2col(m, "i2c_plain", "x", "a", 3, 1, 0);
    im2col(m, "i2c_pad", "x", "b", 3, 1, 1);
    im2col(m, "i2c_down", "x", "c", 1, 2, 0);
    CHECK_EQ_INT(run(reg, m, finn_infer_conv_inp_gen, NULL), 0);
    /* the cleanup's SortGraph puts the padded generator (level 1) last */
    CHECK_STR(ops(m), "ConvolutionInputGenerator FMPadding DownSampler "
                      "ConvolutionInputGenerator");
    finn_node *g = m->nodes[0], *p = m->nodes[1], *d = m->nodes[2], *g2 = m->nodes[3];
    CHECK_STR(g->name, "ConvolutionInputGenerator_i2c_plain");
    CHECK_STR(attr_names(g), "ConvKernelDim,Dilation,IFMChannels,IFMDim,OFMDim,SIMD,Stride,"
                             "backend,depthwise,inputDataType,is1D,outputDataType");
    CHECK_STR(ints_str(g, "ConvKernelDim"), "3,3");
    CHECK_STR(ints_str(g, "IFMDim"), "5,5");
    CHECK_STR(ints_str(g, "OFMDim"), "3,3");
    CHECK_STR(ints_str(g, "Stride"), "1,1");
    CHECK_STR(ints_str(g, "Dilation"), "1,1");
    CHECK_EQ_INT(attr_int(g, "IFMChannels"), 3);
    CHECK_EQ_INT(attr_int(g, "SIMD"), 3);
    CHECK_EQ_INT(attr_int(g, "depthwise"), 0);
    CHECK_EQ_INT(attr_int(g, "is1D"), 0);
    CHECK_STR(attr_str(g, "inputDataType"), "INT2");
    CHECK_STR(attr_str(g, "outputDataType"), "INT2");
    /* padding: FMPadding writes (1, 7, 7, 3) that the generator reads */
    CHECK_STR(p->name, "FMPadding_Batch_i2c_pad");
    CHECK_STR(attr_names(p), "ImgDim,NumChannels,Padding,SIMD,backend,inputDataType");
    CHECK_STR(ints_str(p, "ImgDim"), "5,5");
    CHECK_STR(ints_str(p, "Padding"), "1,1,1,1");
    CHECK_EQ_INT(attr_int(p, "SIMD"), 3);
    CHECK_STR(p->inputs[0], "x");
    CHECK_STR(g2->inputs[0], p->outputs[0]);
    CHECK_STR(shape_str(m, p->outputs[0]), "(1, 7, 7, 3)");
    CHECK_STR(dt_of(m, p->outputs[0]), "INT2");
    CHECK_STR(ints_str(g2, "IFMDim"), "7,7");
    CHECK_STR(ints_str(g2, "OFMDim"), "5,5");
    CHECK_STR(g2->outputs[0], "b");
    /* pointwise kernel with stride 2 on a square image */
    CHECK_STR(d->name, "DownSampler_i2c_down");
    CHECK_STR(attr_names(d), "ImgDim,NumChannels,SIMD,Stride,backend,inputDataType,is1D,"
                             "is1D_unitx");
    CHECK_EQ_INT(attr_int(d, "ImgDim"), 5);
    CHECK_EQ_INT(attr_int(d, "Stride"), 2);
    CHECK_EQ_INT(attr_int(d, "SIMD"), 3);
    CHECK_EQ_INT(attr_int(d, "is1D"), 0);
    CHECK_EQ_INT(attr_int(d, "is1D_unitx"), 0);
    finn_model_free(m);

    /* a float input is refused; pad_value != 0 with padding is refused */
    m = new_model();
    val(m, "x", NULL, "NHWC", 4, 1, 5, 5, 3);
    val(m, "x2", "INT2", "NHWC", 4, 1, 5, 5, 3);
    val(m, "a", NULL, "NHWC", 4, 1, 3, 3, 27);
    val(m, "b", "INT2", "NHWC", 4, 1, 5, 5, 27);
    graph_in(m, "x");
    graph_in(m, "x2");
    graph_out(m, "a");
    graph_out(m, "b");
    im2col(m, "f", "x", "a", 3, 1, 0);
    finn_node *pv = im2col(m, "pv", "x2", "b", 3, 1, 1);
    finn_node_set_attr_i(pv, "pad_value", 1, &err);
    finn_hw_refusals ref = {0};
    CHECK_EQ_INT(run(reg, m, finn_infer_conv_inp_gen, &ref), 0);
    CHECK_STR(ops(m), "Im2Col Im2Col");
    CHECK_EQ_INT(ref.n, 2);
    if (ref.n == 2) {
        CHECK_STR(ref.items[0].reason, "input 'x' has datatype FLOAT32, not an integer type");
        CHECK_STR(ref.items[1].reason, "pad_value 1 unsupported (FMPadding pads with 0)");
    }
    finn_hw_refusals_clear(&ref);
    finn_model_free(m);
}

static void test_streaming_maxpool(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT2", "NHWC", 4, 1, 6, 6, 4);
    val(m, "y", "INT2", "NHWC", 4, 1, 3, 3, 4);
    val(m, "z", "INT2", "NHWC", 4, 1, 2, 2, 4);
    graph_in(m, "x");
    graph_out(m, "y");
    graph_out(m, "z");
    finn_node *a = node(m, "MaxPoolNHWC", "qonnx.custom_op.general", "mp", "x", "y");
    ints(a, "kernel_shape", 2, 2, 2);
    ints(a, "strides", 2, 2, 2);
    finn_node *b = node(m, "MaxPoolNHWC", "qonnx.custom_op.general", "mp_overlap", "x", "z");
    ints(b, "kernel_shape", 2, 3, 3);
    ints(b, "strides", 2, 2, 2);
    finn_hw_refusals ref = {0};
    CHECK_EQ_INT(run(reg, m, finn_infer_streaming_maxpool, &ref), 0);
    CHECK_STR(ops(m), "StreamingMaxPool MaxPoolNHWC");
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "StreamingMaxPool_mp");
    CHECK_STR(attr_names(n), "CeilMode,ImgDim,NumChannels,PE,PoolDim,backend,dataType");
    CHECK_STR(ints_str(n, "PoolDim"), "2,2");
    CHECK_STR(ints_str(n, "ImgDim"), "6,6");
    CHECK_EQ_INT(attr_int(n, "NumChannels"), 4);
    CHECK_EQ_INT(attr_int(n, "PE"), 1);
    CHECK_EQ_INT(attr_int(n, "CeilMode"), 0);
    CHECK_STR(attr_str(n, "dataType"), "INT2");
    CHECK_EQ_INT(ref.n, 1);
    if (ref.n == 1)
        CHECK_STR(ref.items[0].reason, "stride [2, 2] differs from kernel [3, 3]");
    finn_hw_refusals_clear(&ref);
    finn_model_free(m);
}

static void test_pool(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "UINT4", "NCHW", 4, 1, 2, 4, 4);
    val(m, "y", "UINT4", "NCHW", 4, 1, 2, 2, 2);
    graph_in(m, "x");
    graph_out(m, "y");
    finn_node *a = node(m, "MaxPool", "", "maxpool", "x", "y");
    ints(a, "kernel_shape", 2, 2, 2);
    ints(a, "strides", 2, 2, 2);
    CHECK_EQ_INT(run(reg, m, finn_infer_pool, NULL), 0);
    CHECK_STR(ops(m), "Transpose Im2Col Pool Transpose");
    finn_node *c = m->nodes[1], *p = m->nodes[2];
    CHECK_STR(c->name, "Im2Col_maxpool");
    CHECK_STR(c->domain, "qonnx.custom_op.general");
    CHECK_STR(attr_str(c, "input_shape"), "(1,4,4,2)");
    CHECK_EQ_INT(attr_int(c, "depthwise"), 1);
    CHECK_EQ_INT(attr_int(c, "pad_value"), 0); /* min of UINT4 */
    CHECK_STR(ints_str(c, "pad_amount"), "0,0,0,0");
    CHECK_STR(p->name, "Pool_maxpool");
    CHECK_STR(attr_names(p), "AccumBits,BatchSize,Channels,Function,InputDataType,KernelSize,"
                             "OutImgDims,OutputDataType,PE,Size,backend");
    CHECK_EQ_INT(attr_int(p, "Channels"), 2);
    CHECK_EQ_INT(attr_int(p, "PE"), 2);
    CHECK_STR(attr_str(p, "Function"), "MaxPool");
    CHECK_STR(ints_str(p, "KernelSize"), "2,2");
    CHECK_STR(ints_str(p, "OutImgDims"), "2,2");
    CHECK_STR(attr_str(p, "InputDataType"), "UINT4");
    CHECK_STR(attr_str(p, "OutputDataType"), "UINT4");
    CHECK_EQ_INT(attr_int(p, "AccumBits"), 0);
    CHECK_EQ_INT(attr_int(p, "Size"), 0);
    CHECK_EQ_INT(attr_int(p, "BatchSize"), 1);
    CHECK_STR(shape_str(m, c->outputs[0]), "(1, 2, 2, 8)");
    CHECK_STR(m->nodes[3]->outputs[0], "y");
    finn_model_free(m);
}

static void test_upsample(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT4", "NHWC", 4, 1, 3, 3, 2);
    val(m, "y", "INT4", "NHWC", 4, 1, 6, 6, 2);
    graph_in(m, "x");
    graph_out(m, "y");
    double sc[4] = {1, 2, 2, 1};
    init(m, "scales", NULL, sc, 1, 4);
    finn_node *r = node(m, "Resize", "", "rs", "x,,scales", "y");
    finn_node_set_attr_s(r, "mode", "nearest", &err);
    CHECK_EQ_INT(run(reg, m, finn_infer_upsample, NULL), 0);
    CHECK_STR(ops(m), "UpsampleNearestNeighbour");
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "UpsampleNearestNeighbour_rs");
    CHECK_STR(attr_names(n), "DimMode,IFMDim,NumChannels,OFMDim,backend,inputDataType,"
                             "numInputVectors");
    CHECK_EQ_INT(attr_int(n, "OFMDim"), 6);
    CHECK_EQ_INT(attr_int(n, "IFMDim"), 3);
    CHECK_EQ_INT(attr_int(n, "NumChannels"), 2);
    CHECK_EQ_INT(attr_int(n, "numInputVectors"), 1);
    CHECK_EQ_INT(attr_int(n, "DimMode"), 0);
    CHECK_EQ_INT(n->n_inputs, 1);
    finn_model_free(m);
}

/* ---- streams --------------------------------------------------------------------------------------------- */

static void test_add_streams_and_eltwise(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "a", "INT4", "NC", 2, 1, 6);
    val(m, "b", "INT4", "NC", 2, 1, 6);
    val(m, "s", NULL, "NC", 2, 1, 6);
    graph_in(m, "a");
    graph_in(m, "b");
    graph_out(m, "s");
    node(m, "Add", "", "add", "a,b", "s");
    CHECK_EQ_INT(run(reg, m, finn_infer_add_streams_layer, NULL), 0);
    CHECK_STR(ops(m), "AddStreams");
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "AddStreams_add");
    CHECK_STR(attr_names(n), "NumChannels,PE,backend,inputDataType,numInputVectors");
    CHECK_EQ_INT(attr_int(n, "NumChannels"), 6);
    CHECK_STR(attr_str(n, "inputDataType"), "INT4");
    CHECK_STR(ints_str(n, "numInputVectors"), "1");
    finn_model_free(m);

    m = new_model();
    val(m, "a", "INT4", "NC", 2, 1, 6);
    val(m, "b", "INT3", "NC", 2, 1, 6);
    val(m, "d", NULL, "NC", 2, 1, 6);
    val(m, "e", NULL, "NC", 2, 1, 6);
    graph_in(m, "a");
    graph_in(m, "b");
    graph_out(m, "e");
    node(m, "Sub", "", "sub", "a,b", "d");
    node(m, "Abs", "", "abs", "d", "e");
    CHECK_EQ_INT(run(reg, m, finn_infer_streaming_eltwise, NULL), 0);
    CHECK_STR(ops(m), "StreamingEltwise");
    n = m->nodes[0];
    CHECK_STR(n->name, "StreamingEltwise_sub");
    CHECK_STR(attr_names(n), "NumChannels,PE,backend,eltwiseOp,inputDataType0,inputDataType1,"
                             "numInputVectors");
    CHECK_STR(attr_str(n, "eltwiseOp"), "AbsDiff");
    CHECK_STR(attr_str(n, "inputDataType0"), "INT4");
    CHECK_STR(attr_str(n, "inputDataType1"), "INT3");
    CHECK_STR(n->outputs[0], "e");
    finn_model_free(m);
}

static void test_duplicate_streams(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "INT4", "NC", 2, 1, 5);
    val(m, "a", "INT4", "NC", 2, 1, 5);
    val(m, "b", NULL, "NC", 2, 1, 5);
    val(m, "c", NULL, "NC", 2, 1, 5);
    graph_in(m, "x");
    graph_out(m, "b");
    graph_out(m, "c");
    node(m, "Identity", "", "id", "x", "a");
    node(m, "Relu", "", "r1", "a", "b");
    node(m, "Add", "", "twice", "a,a", "c");
    CHECK_EQ_INT(run(reg, m, finn_infer_duplicate_streams_layer, NULL), 0);
    CHECK_STR(ops(m), "Identity DuplicateStreams Relu Add");
    finn_node *d = m->nodes[1];
    CHECK_STR(d->name, "DuplicateStreams_id");
    CHECK_STR(attr_names(d), "NumChannels,NumOutputStreams,PE,backend,inputDataType,"
                             "numInputVectors,outFIFODepths");
    CHECK_EQ_INT(attr_int(d, "NumOutputStreams"), 3);
    CHECK_STR(ints_str(d, "outFIFODepths"), "2,2,2");
    CHECK_EQ_INT(attr_int(d, "NumChannels"), 5);
    CHECK_EQ_INT(d->n_outputs, 3);
    if (d->n_outputs == 3) {
        CHECK_STR(m->nodes[2]->inputs[0], d->outputs[0]);
        CHECK_STR(m->nodes[3]->inputs[0], d->outputs[1]);
        CHECK_STR(m->nodes[3]->inputs[1], d->outputs[2]);
        CHECK_STR(shape_str(m, d->outputs[2]), "(1, 5)");
    }
    finn_model_free(m);
}

static void test_global_acc_pool(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "x", "UINT4", "NCHW", 4, 1, 3, 2, 4);
    val(m, "y", NULL, "NCHW", 4, 1, 3, 1, 1);
    graph_in(m, "x");
    graph_out(m, "y");
    node(m, "GlobalAveragePool", "", "gap", "x", "y");
    CHECK_EQ_INT(run(reg, m, finn_infer_global_acc_pool_layer, NULL), 0);
    CHECK_STR(ops(m), "Transpose GlobalAccPool Mul Transpose");
    finn_node *g = m->nodes[1], *mul = m->nodes[2];
    CHECK_STR(g->name, "GlobalAccPool_gap");
    CHECK_STR(attr_names(g), "NumChannels,PE,backend,inputDataType,numInputVectors");
    CHECK_EQ_INT(attr_int(g, "NumChannels"), 3);
    CHECK_STR(ints_str(g, "numInputVectors"), "1,2,4");
    CHECK_STR(mul->inputs[0], g->outputs[0]);
    const finn_tensor *c = finn_model_initializer(m, mul->inputs[1]);
    CHECK(c != NULL);
    if (c)
        CHECK_EQ_DBL(finn_tensor_get(c, 0), 0.125); /* 1 / (2*4) */
    CHECK_STR(m->nodes[3]->outputs[0], "y");
    CHECK_STR(shape_str(m, g->outputs[0]), "(1, 1, 1, 3)");
    finn_model_free(m);
}

static void test_concat_and_lookup(const finn_registry *reg)
{
    finn_model *m = new_model();
    val(m, "a", "INT4", "NC", 2, 1, 3);
    val(m, "b", "INT4", "NC", 2, 1, 5);
    val(m, "c", NULL, "NC", 2, 1, 8);
    graph_in(m, "a");
    graph_in(m, "b");
    graph_out(m, "c");
    finn_node *cc = node(m, "Concat", "", "cat", "a,b", "c");
    finn_node_set_attr_i(cc, "axis", -1, &err);
    CHECK_EQ_INT(run(reg, m, finn_infer_concat_layer, NULL), 0);
    CHECK_STR(ops(m), "StreamingConcat");
    finn_node *n = m->nodes[0];
    CHECK_STR(n->name, "Concat_cat");
    CHECK_STR(attr_names(n), "ElemsPerStream,backend,inFIFODepths,inputDataType,"
                             "numInputVectors");
    CHECK_STR(ints_str(n, "ElemsPerStream"), "3,5");
    CHECK_STR(ints_str(n, "inFIFODepths"), "2,2");
    CHECK_STR(ints_str(n, "numInputVectors"), "1");
    finn_model_free(m);

    m = new_model();
    val(m, "i", "UINT4", NULL, 2, 1, 3);
    val(m, "y", NULL, NULL, 3, 1, 3, 4);
    graph_in(m, "i");
    graph_out(m, "y");
    init(m, "E", "INT8", NULL, 2, 10, 4);
    node(m, "Gather", "", "g", "E,i", "y");
    CHECK_EQ_INT(run(reg, m, finn_infer_lookup_layer, NULL), 0);
    CHECK_STR(ops(m), "Lookup");
    n = m->nodes[0];
    CHECK_STR(n->name, "Lookup_g");
    CHECK_STR(attr_names(n), "EmbeddingDim,EmbeddingType,InputShape,InputType,NumEmbeddings,"
                             "backend");
    CHECK_STR(n->inputs[0], "i");
    CHECK_STR(n->inputs[1], "E");
    CHECK_EQ_INT(attr_int(n, "NumEmbeddings"), 10);
    CHECK_EQ_INT(attr_int(n, "EmbeddingDim"), 4);
    CHECK_STR(attr_str(n, "EmbeddingType"), "INT8");
    CHECK_STR(attr_str(n, "InputType"), "UINT4");
    CHECK_STR(ints_str(n, "InputShape"), "1,3");
    finn_model_free(m);
}

/* ---- step helpers ------------------------------------------------------------------------------------------ */

static void test_cnv_to_fc_flatten_and_transposes(const finn_registry *reg)
{
    /* Thresholding (dataflow) -> Transpose(0,3,1,2) -> Reshape -> MatMul->MVAU:
     * the MVAU weights are reordered for NHWC input, Transpose+Reshape vanish */
    finn_model *m = new_model();
    val(m, "x", "INT2", "NHWC", 4, 1, 2, 1, 3);
    val(m, "t", "INT2", "NHWC", 4, 1, 2, 1, 3);
    val(m, "u", "INT2", "NCHW", 4, 1, 3, 2, 1);
    val(m, "f", "INT2", "NC", 2, 1, 6);
    val(m, "y", "INT32", "NC", 2, 1, 2);
    graph_in(m, "x");
    graph_out(m, "y");
    init(m, "T", "INT2", NULL, 2, 3, 1);
    mt(m, "mt", "x", "T", "t", "INT2", -1);
    finn_node *tr = node(m, "Transpose", "", "tr", "t", "u");
    ints(tr, "perm", 4, 0, 3, 1, 2);
    double shp[2] = {1, -1};
    init(m, "shape", NULL, shp, 1, 2);
    node(m, "Reshape", "", "rs", "u,shape", "f");
    /* W[r][o] = 10*r + o for r = c*H*W + y*W + x (NCHW flattening) */
    double w[12];
    for (int r = 0; r < 6; r++)
        for (int o = 0; o < 2; o++)
            w[r * 2 + o] = 10 * r + o;
    init(m, "W", "INT8", w, 2, 6, 2);
    node(m, "MatMul", "", "mm", "f,W", "y");
    CHECK_EQ_INT(run(reg, m, finn_infer_quantized_matrix_vector_activation, NULL), 0);
    CHECK_EQ_INT(run(reg, m, finn_infer_thresholding_layer, NULL), 0);
    CHECK_STR(ops(m), "Thresholding Transpose Reshape MVAU");
    finn_hw_refusals ref = {0};
    CHECK_EQ_INT(run(reg, m, finn_remove_cnv_to_fc_flatten, &ref), 0);
    CHECK_STR(ops(m), "Thresholding MVAU");
    CHECK_EQ_INT(ref.n, 0);
    CHECK_STR(m->nodes[1]->inputs[0], "t");
    const finn_tensor *nw = finn_model_initializer(m, "W");
    /* NHWC row (y*W + x)*C + c reads NCHW row c*H*W + y*W + x (H=2, W=1, C=3):
     * row 1 = (y0,x0,c1) <- NCHW row 2; row 3 = (y1,x0,c0) <- row 1 */
    if (nw && finn_tensor_numel(nw) == 12) {
        CHECK_EQ_DBL(finn_tensor_get(nw, 0), 0);
        CHECK_EQ_DBL(finn_tensor_get(nw, 2), 20);
        CHECK_EQ_DBL(finn_tensor_get(nw, 3), 21);
        CHECK_EQ_DBL(finn_tensor_get(nw, 6), 10);
        CHECK_EQ_DBL(finn_tensor_get(nw, 10), 50);
    }
    finn_hw_refusals_clear(&ref);
    finn_model_free(m);

    /* inverse transposes vanish; a non-inverse pair stays */
    m = new_model();
    val(m, "x", "INT2", "NCHW", 4, 1, 3, 2, 2);
    val(m, "a", "INT2", "NHWC", 4, 1, 2, 2, 3);
    val(m, "b", "INT2", "NCHW", 4, 1, 3, 2, 2);
    val(m, "c", "INT2", "NCHW", 4, 1, 3, 2, 2);
    graph_in(m, "x");
    graph_out(m, "c");
    ints(node(m, "Transpose", "", "t1", "x", "a"), "perm", 4, 0, 2, 3, 1);
    ints(node(m, "Transpose", "", "t2", "a", "b"), "perm", 4, 0, 3, 1, 2);
    node(m, "Relu", "", "r", "b", "c");
    CHECK_EQ_INT(run(reg, m, finn_absorb_consecutive_transposes, NULL), 0);
    CHECK_STR(ops(m), "Relu");
    CHECK_STR(m->nodes[0]->inputs[0], "x");
    finn_model_free(m);
}

static void test_nchw_to_nhwc(void)
{
    finn_model *m = new_model();
    val(m, "x", "INT3", "NCHW", 4, 2, 3, 4, 5);
    char *t = NULL;
    CHECK_EQ_INT(finn_nchw_to_nhwc(m, "x", 0, false, &t, &err), 0);
    CHECK_STR(ops(m), "Transpose");
    CHECK_STR(shape_str(m, t), "(2, 4, 5, 3)");
    CHECK_STR(dt_of(m, t), "INT3");
    CHECK_STR(layout_of(m, t), "NHWC");
    CHECK_STR(m->nodes[0]->inputs[0], "x");
    CHECK_STR(m->nodes[0]->outputs[0], t);
    char *r = NULL;
    CHECK_EQ_INT(finn_nchw_to_nhwc(m, "x", 0, true, &r, &err), 0);
    CHECK_STR(ints_str(m->nodes[0], "perm"), "0,3,1,2");
    CHECK_STR(m->nodes[0]->inputs[0], r);
    CHECK_STR(m->nodes[0]->outputs[0], "x");
    free(t);
    free(r);
    val(m, "v", NULL, NULL, 2, 1, 3);
    CHECK_EQ_INT(finn_nchw_to_nhwc(m, "v", 0, false, &t, &err), -1);
    CHECK_CONTAINS(err.msg, "'v' is not a known 4-D shape");
    CHECK(finn_hw_rule_find("InferThresholdingLayer") == finn_infer_thresholding_layer);
    CHECK(finn_hw_rule_find("InferFoo") == NULL);
    finn_model_free(m);
}

int main(void)
{
    finn_registry *reg = make_registry();
    CHECK(reg != NULL);
    if (!reg)
        return test_done();
    test_thresholding_nc(reg);
    test_thresholding_nchw(reg);
    test_thresholding_refusals(reg);
    test_mvau_quantized(reg);
    test_mvau_bipolar_and_conv(reg);
    test_mvau_binary(reg);
    test_vvau(reg);
    test_label_select(reg);
    test_channelwise(reg);
    test_conv_inp_gen(reg);
    test_streaming_maxpool(reg);
    test_pool(reg);
    test_upsample(reg);
    test_add_streams_and_eltwise(reg);
    test_duplicate_streams(reg);
    test_global_acc_pool(reg);
    test_concat_and_lookup(reg);
    test_cnv_to_fc_flatten_and_transposes(reg);
    test_nchw_to_nhwc();
    finn_registry_free(reg);
    return test_done();
}
