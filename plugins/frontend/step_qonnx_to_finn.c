/*
 * step_qonnx_to_finn.c - FINN's step_qonnx_to_finn (finn-frontend.md 4).
 */
#include "frontend.h"

#include <string.h>

/* FINN's gate counts BinaryQuant, Quant and Trunc, so a model whose only
 * quantizers are BipolarQuant (a QONNX export of a w1a1 network) is
 * returned unconverted and streamlining it fails later (finn-frontend.md
 * 12.1).  finn-run counts BipolarQuant too: such models convert. */
static size_t qonnx_node_count(const finn_model *m)
{
    static const char *const OPS[] = {"BinaryQuant", "BipolarQuant", "Quant", "Trunc"};
    size_t count = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++)
            if (!strcmp(m->nodes[i]->op_type, OPS[k]))
                count++;
    return count;
}

int fe_step_qonnx_to_finn(finn_model **model, finn_build *build, finn_error *err)
{
    finn_model *m = *model;
    if (qonnx_node_count(m) == 0)
        return 0;
    const finn_config *cfg = finn_build_config(build);
    fe_ctx c = {finn_build_registry(build), build,
                cfg ? finn_config_int(cfg, "max_multithreshold_bit_width") : 8};
    if (fe_cleanup_model(&c, m, err) || fe_convert_qonnx_to_finn(&c, m, err))
        return -1;
    return finn_build_verify(build, m, "finn_onnx_python", "qonnx_to_finn_python", err);
}
