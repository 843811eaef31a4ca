/*
 * quant_act_to_mt.c - FINN's ConvertQuantActToMultiThreshold with its ReLU
 * and Identity activation handlers (finn-frontend.md 4.2): a quantizer in
 * the activation path becomes MultiThreshold (+ Add bias, + Mul scale).
 *
 * Threshold arithmetic is float32 throughout, as numpy does it in FINN's
 * handlers (float32 scale arrays combined with Python ints).
 */
#include "frontend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { H_IDENTITY, H_RELU } handler_kind;

/* The handler's results. */
typedef struct act_params {
    finn_datatype out_dtype;
    finn_tensor *thresholds; /* (rows, nt) float32 */
    float bias;              /* always a single value in FINN's handlers */
    finn_tensor *scale;      /* float32, the quantizer scale (x2 for 1 bit) */
} act_params;

static void act_params_free(act_params *p)
{
    finn_tensor_free(p->thresholds);
    finn_tensor_free(p->scale);
}

static const char *const RELU_PREDS[] = {"Relu", "Selu", NULL};

static handler_kind choose_handler(const finn_node *pred)
{
    if (pred)
        for (const char *const *p = RELU_PREDS; *p; p++)
            if (!strcmp(pred->op_type, *p))
                return H_RELU;
    /* BatchNormalization, Sub, Add, Mul, Div, DebugMarker, no predecessor, and
     * every other op type as FINN's fallback */
    return H_IDENTITY;
}

static int check_compat(const finn_model *m, const finn_node *q, handler_kind h,
                        const finn_node *pred, finn_error *err)
{
    bool is_quant = !strcmp(q->op_type, "Quant");
    const finn_tensor *scale = finn_model_initializer(m, q->inputs[1]);
    if (!scale)
        return fe_fail(err, q, FINN_ERR_UNSUPPORTED, "the scale must be an initializer");
    if (h == H_RELU) {
        if (!is_quant)
            return 0;
        if (!fe_quant_zero_zp(m, q))
            return fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                           "only Quant nodes with zero-point == 0 are currently supported for "
                           "ReLu activations");
        if (!strcmp(pred->op_type, "Relu") &&
            (finn_node_attr_i(q, "signed", 1) || finn_node_attr_i(q, "narrow", 0)))
            return fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                           "FINN only supports unsigned and non-narrow Quant nodes for Relu "
                           "activations");
        return 0;
    }
    if (is_quant) {
        if (!finn_node_attr_i(q, "signed", 1))
            return fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                           "FINN only supports signed Quant nodes for identity activations");
        if (!fe_quant_zero_zp(m, q))
            return fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                           "only Quant nodes with zero-point == 0 are currently supported for "
                           "identity activations");
    } else if (finn_tensor_numel(scale) != 1 || finn_tensor_get(scale, 0) != 1.0) {
        return fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                       "FINN only supports Bipolar identity activations without per channel "
                       "scaling and the scaling must be 1");
    }
    return 0;
}

static float signed_min(double bits, bool narrow)
{
    double v = pow(2.0, bits - 1);
    return (float)(narrow ? -(v - 1) : -v);
}

/* Thresholds of one channel row into t[c*nt ..]; step = |scale_c|. */
static void relu_row(float *t, long nt, float step)
{
    float min_t = step / 2;
    for (long j = 0; j < nt; j++)
        t[j] = min_t + step * (float)j;
}

static void identity_row(float *t, long nt, float step, bool narrow)
{
    float half = step / 2.0f;
    float min_t = -half - step * (float)(nt / 2 - 1);
    if (!narrow)
        min_t -= step;
    for (long j = 0; j < nt; j++)
        t[j] = min_t + step * (float)j;
}

/* SELU, per-tensor scale only (FINN's code assumes that as well). */
static void selu_row(float *t, long nt, float scale)
{
    const double alpha = 1.6732632423543772, lambda = 1.0507009873554805;
    float s = fabsf(scale), half = s / 2;
    for (long j = 0; j < nt; j++) {
        float u = -1.0f + half + s * (float)j;
        t[j] = u <= 0 ? logf(u / (float)(alpha * lambda) + 1.0f) : u / (float)lambda;
    }
}

/* Broadcast a (1, nt) threshold table to (C, nt) as np.broadcast_to does. */
static finn_tensor *broadcast_rows(finn_tensor *t, int64_t rows, const finn_node *q,
                                   finn_error *err)
{
    if (t->shape[0] == rows)
        return t;
    if (t->shape[0] != 1) {
        finn_tensor_free(t);
        fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                "only per-tensor or per-channel quantization is supported (scale has %lld "
                "channels, the output %lld)",
                (long long)t->shape[0], (long long)rows);
        return NULL;
    }
    int64_t shape[2] = {rows, t->shape[1]};
    finn_tensor *b = finn_tensor_new(FINN_ELEM_FLOAT, 2, shape, err);
    if (b)
        for (int64_t r = 0; r < rows; r++)
            memcpy((float *)b->data + r * shape[1], t->data, (size_t)shape[1] * sizeof(float));
    finn_tensor_free(t);
    return b;
}

static int calc_params(const finn_model *m, const finn_node *q, handler_kind h,
                       const finn_node *pred, act_params *p, finn_error *err)
{
    double bits;
    if (fe_quant_bits(m, q, &bits, err) || fe_quant_int_dtype(m, q, &p->out_dtype, err))
        return -1;
    bool narrow = !strcmp(q->op_type, "Quant") && finn_node_attr_i(q, "narrow", 0);
    const finn_tensor *scale = finn_model_initializer(m, q->inputs[1]);
    const finn_value *ov = finn_model_value(m, q->outputs[0]);
    if (!ov || ov->ndim < 2)
        return fe_fail(err, q, FINN_ERR_INVALID, "output shape unknown or of rank < 2");
    int64_t channels = ov->shape[1]; /* FINN: "ToDo: channels last" */
    bool selu = h == H_RELU && !strcmp(pred->op_type, "Selu");

    /* bias */
    if (h == H_RELU && !selu)
        p->bias = 0.0f;
    else
        p->bias = bits == 1.0 ? -0.5f : signed_min(bits, narrow);

    /* scale */
    p->scale = finn_tensor_convert(scale, FINN_ELEM_FLOAT, err);
    if (!p->scale)
        return -1;
    if (h == H_IDENTITY && bits == 1.0) {
        if (finn_tensor_numel(scale) != 1 || finn_tensor_get(scale, 0) != 1.0)
            return fe_fail(err, q, FINN_ERR_UNSUPPORTED, "unsupported BIPOLAR scale != 1");
        ((float *)p->scale->data)[0] *= 2.0f;
    }

    /* thresholds */
    long nt;
    if (h == H_IDENTITY && bits == 1.0) {
        int64_t shape[2] = {1, 1};
        p->thresholds = finn_tensor_new(FINN_ELEM_FLOAT, 2, shape, err); /* [[0]] */
        return p->thresholds ? 0 : -1;
    }
    if (h == H_RELU && !selu)
        nt = (long)(pow(2.0, bits) - 1);
    else
        nt = (long)(pow(2.0, bits) - (narrow ? 2 : 1));
    size_t nch = finn_tensor_numel(scale);
    if (selu && nch != 1)
        return fe_fail(err, q, FINN_ERR_UNSUPPORTED, "Selu handler needs a per-tensor scale");
    int64_t shape[2] = {(int64_t)nch, nt};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 2, shape, err);
    if (!t)
        return -1;
    for (size_t ch = 0; ch < nch; ch++) {
        float *row = (float *)t->data + ch * (size_t)nt;
        /* the scale read for thresholds is the quantizer's, not the doubled one */
        float sc = (float)finn_tensor_get(scale, ch);
        if (selu)
            selu_row(row, nt, sc);
        else if (h == H_RELU)
            relu_row(row, nt, fabsf(sc));
        else
            identity_row(row, nt, fabsf(sc), narrow);
    }
    p->thresholds = broadcast_rows(t, channels, q, err);
    return p->thresholds ? 0 : -1;
}

/* Insert `op`(upstream's output redirected to a new tensor, constant) that
 * writes `final_name`; returns the new node through *out. */
static int append_affine(finn_model *m, finn_node *upstream, const char *op,
                         const finn_tensor *constant, const char *final_name, size_t at,
                         finn_node **out, finn_error *err)
{
    int rc = -1;
    char *cname = fe_new_init_copy(m, constant, err);
    char *act = cname ? fe_new_name(m, err) : NULL;
    finn_node *node = NULL;
    if (!act)
        goto done;
    const finn_value *ov = finn_model_value(m, final_name);
    if (ov && ov->ndim >= 0 &&
        finn_model_set_shape(m, act, FINN_ELEM_FLOAT, ov->ndim, ov->shape, err))
        goto done;
    if (!(node = fe_node(op, NULL, (const char *const[]){act, cname, NULL}, final_name, err)))
        goto done;
    if (finn_model_insert_node(m, at, node, err)) {
        finn_node_free(node);
        goto done;
    }
    if (finn_node_set_output(upstream, 0, act, err))
        goto done;
    *out = node;
    rc = 0;
done:
    free(cname);
    free(act);
    return rc;
}

static int replace_quant(const fe_ctx *c, finn_model *m, finn_node *q, size_t qidx,
                         handler_kind h, finn_node *pred, finn_error *err)
{
    (void)c;
    if (check_compat(m, q, h, pred, err))
        return -1;
    if (h == H_RELU && !pred)
        return fe_fail(err, q, FINN_ERR_INVALID, "a Relu handler needs a predecessor");
    act_params p = {0};
    int rc = -1;
    char *tname = NULL, *qout = NULL;
    finn_node *mt = NULL;
    if (calc_params(m, q, h, pred, &p, err))
        goto out;
    if (!(qout = strdup(q->outputs[0]))) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!(tname = fe_new_init_copy(m, p.thresholds, err)))
        goto out;
    mt = fe_node("MultiThreshold", FE_QONNX_DOMAIN,
                 (const char *const[]){q->inputs[0], tname, NULL}, qout, err);
    if (!mt || finn_node_set_attr_s(mt, "out_dtype", "FLOAT32", err) ||
        finn_model_insert_node(m, qidx + 1, mt, err)) {
        finn_node_free(mt);
        goto out;
    }
    char dtname[FINN_DT_NAME_MAX];
    finn_dt_name(p.out_dtype, dtname, sizeof dtname);
    size_t at = qidx + 2;
    bool scale_scalar = finn_tensor_numel(p.scale) == 1 && p.scale->ndim <= 1;
    float s0 = ((const float *)p.scale->data)[0];
    if (scale_scalar && !strcmp(q->op_type, "BipolarQuant")) {
        /* FINN applies scale before bias, Brevitas the other way round */
        if (finn_node_set_attr_f(mt, "out_scale", s0, err) ||
            finn_node_set_attr_f(mt, "out_bias", (float)((double)p.bias * (double)s0), err) ||
            finn_node_set_attr_s(mt, "out_dtype", dtname, err))
            goto out;
    } else {
        if (finn_node_set_attr_s(mt, "out_dtype", dtname, err))
            goto out;
        finn_node *up = mt;
        if (p.bias != 0.0f) {
            finn_tensor *b = finn_tensor_new(FINN_ELEM_FLOAT, 0, NULL, err);
            if (!b)
                goto out;
            ((float *)b->data)[0] = p.bias;
            finn_node *add = NULL;
            int r = append_affine(m, up, "Add", b, qout, at++, &add, err);
            finn_tensor_free(b);
            if (r)
                goto out;
            up = add;
        }
        if (!(scale_scalar && s0 == 1.0f)) {
            if (scale_scalar && p.scale->ndim == 1 && finn_tensor_reshape(p.scale, 0, NULL, err))
                goto out;
            finn_node *mul = NULL;
            if (append_affine(m, up, "Mul", p.scale, qout, at++, &mul, err))
                goto out;
        }
    }
    if (h == H_RELU) {
        /* the MultiThreshold reads the activation's input; the Relu goes */
        if (finn_node_set_input(mt, 0, pred->inputs[0], err))
            goto out;
        finn_model_remove_node(m, pred);
    }
    finn_model_remove_node(m, q);
    rc = 0;
out:
    act_params_free(&p);
    free(tname);
    free(qout);
    return rc;
}

static int passes_filter(const fe_ctx *c, const finn_model *m, const finn_node *q, bool *ok,
                         finn_error *err)
{
    double bits;
    if (fe_quant_bits(m, q, &bits, err))
        return -1;
    *ok = bits <= (double)c->max_mt_bits;
    if (!*ok)
        fe_warn(c,
                "The Quant node with name: \"%s\" was not converted to a MultiThreshold node, "
                "because its bit width of %g is higher than the configured maximum bit width "
                "of %lld.",
                q->name, bits, (long long)c->max_mt_bits);
    return 0;
}

int fe_pass_quant_act_to_mt(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *q = m->nodes[i];
        if (!fe_is_quantizer(q))
            continue;
        if (fe_is_init(m, q->inputs[0]) || fe_is_init(m, q->outputs[0]))
            continue; /* not in the activation path */
        finn_node *pred = fe_first_predecessor(m, q);
        /* FINN raises here and the whole build stops; finn-run leaves the
         * quantizer as it is, says why, and converts the others */
        finn_error why = {0};
        if (!fe_quant_zero_zp(m, q))
            fe_fail(&why, q, FINN_ERR_UNSUPPORTED,
                    "only Quant nodes with zero-point == 0 are currently supported");
        else
            check_compat(m, q, choose_handler(pred), pred, &why);
        if (why.code) {
            fe_warn(c, "ConvertQuantActToMultiThreshold: %s; the quantizer stays as it is",
                    why.msg);
            continue;
        }
        bool ok;
        if (passes_filter(c, m, q, &ok, err))
            return -1;
        if (!ok)
            continue;
        *changed = true;
        return replace_quant(c, m, q, i, choose_handler(pred), pred, err);
    }
    return 0;
}
