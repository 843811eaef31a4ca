/*
 * hwconv_priv.h - private helpers shared by the hwconv_*.c files (FINN's
 * convert_to_hw_layers.py rules, see finn/hw_transforms.h).
 *
 * The rules walk m->nodes by index and insert/remove nodes at the indices
 * FINN uses (FINN inserts at the running `node_ind`, then removes the old
 * node while iterating the protobuf list), so the resulting node order is
 * FINN's.
 */
#ifndef FINN_HWCONV_PRIV_H
#define FINN_HWCONV_PRIV_H

#include "finn/hw.h"
#include "finn/hw_transforms.h"
#include "finn/registry.h"
#include "finn/transforms.h"

#define HC_QONNX_DOMAIN "qonnx.custom_op.general"

/* Record a refusal (printf-style reason); a NULL sink ignores it. */
int hc_refuse(finn_hw_refusals *r, const finn_node *n, finn_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A new abstract HW node: domain FINN_HW_DOMAIN, backend="fpgadataflow",
 * name prefix + base (base may be "" or NULL). */
finn_node *hc_hw_node(const char *op_type, const char *prefix, const char *base,
                      finn_error *err);
/* Sort the attributes by name (onnx.helper.make_node does) and insert at
 * idx (clamped); frees n on failure. */
int hc_insert(finn_model *m, size_t idx, finn_node *n, finn_error *err);
/* Add input/output tensors to a node. */
int hc_io(finn_node *n, const char *in0, const char *in1, const char *in2, const char *out,
          finn_error *err);

/* Tensor shape (returns ndim, -1 unknown). */
int hc_shape(const finn_model *m, const char *name, int64_t *shape);
/* Datatype name into buf (FINN_DT_NAME_MAX). */
const char *hc_dt_name(const finn_model *m, const char *name, char *buf);
bool hc_is_int(const finn_model *m, const char *name);
/* A fresh tensor with shape/datatype (dt NULL = no annotation); caller frees. */
char *hc_new_tensor(finn_model *m, int ndim, const int64_t *shape, const finn_datatype *dt,
                    finn_error *err);
/* QONNX find_consumer: first node whose input[0] is tensor. */
finn_node *hc_find_consumer(const finn_model *m, const char *tensor);
/* Number of (node, input slot) pairs that read tensor (find_consumers). */
size_t hc_consumer_slots(const finn_model *m, const char *tensor);
bool hc_has_init(const finn_model *m, const char *name);
/* InferShapes + InferDataTypes, as the rules end. */
int hc_finish(const finn_registry *reg, finn_model *m, finn_error *err);
/* One rule's conversion of node i: 1 converted, 0 left as is, -1 error. */
typedef int (*hc_one_fn)(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                         finn_error *err);
/* Apply one to every node of op_type with at least min_in inputs and
 * min_out outputs, in graph order; *changed says whether any converted. */
int hc_each(finn_model *m, const char *op_type, size_t min_in, size_t min_out, hc_one_fn one,
            finn_hw_refusals *refusals, bool *changed, finn_error *err);

/* Layout letters of a tensor ("" when unknown). */
const char *hc_layout(const finn_model *m, const char *name, char *buf);
/* Set an INTS attribute from a shape prefix. */
int hc_set_vecs(finn_node *n, const char *attr, const int64_t *shape, int count,
                finn_error *err);
/* Python's int(x) == x for a double. */
bool hc_integral(double x);

#endif
