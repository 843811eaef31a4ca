/*
 * onnx_strip.h - find the weight bytes of an encoded ONNX model without
 * unpacking them.
 *
 * protobuf-c copies every `bytes` field it unpacks, so unpacking a model
 * whose weights are stored as TensorProto.raw_data would hold them twice
 * (the file and the copy) before the loader copies them a third time into
 * tensors.  Instead the loader unpacks a copy of the encoding with the
 * initializers' raw_data payloads cut out, and reads each payload straight
 * from the file bytes into its tensor.
 */
#ifndef FINN_ONNX_STRIP_H
#define FINN_ONNX_STRIP_H

#include <stddef.h>
#include <stdint.h>

/* The raw_data payload of the top-level graph's initializer number index
 * (order of appearance), inside the encoded bytes. */
typedef struct raw_span {
    size_t index;
    const uint8_t *data;
    size_t len;
} raw_span;

/* Copy buf (an encoded ModelProto) without the raw_data payloads of the
 * graph's initializers.  Returns 0 with *out (malloc'd, *out_len bytes) and
 * *spans (malloc'd, *n_spans entries, NULL when none; pointers into buf);
 * 1 when buf is not shaped as expected (malformed, groups, the graph field
 * repeated): the caller then unpacks buf as it is and reports the error
 * protobuf-c finds; -1 when out of memory. */
int onnx_strip_raw_data(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len,
                        raw_span **spans, size_t *n_spans);

#endif
