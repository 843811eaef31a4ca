/*
 * config.h - a build configuration: FINN's DataflowBuildConfig fields plus
 * the recipe keys (model, plugins), read from a recipe YAML or FINN's
 * dataflow_build_config.json with one libyaml parser.
 *
 * The config is opaque; read it with the typed getters by FINN's field name.
 * A getter on a field that is unset returns FINN's default.  Relative paths
 * are resolved against the folder of the file they came from.
 */
#ifndef FINN_CONFIG_H
#define FINN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "finn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_config finn_config;

/* Value types of config fields. */
typedef enum finn_cfg_type {
    FINN_CFG_STR,      /* string */
    FINN_CFG_PATH,     /* string, resolved against the file's folder */
    FINN_CFG_INT,
    FINN_CFG_FLOAT,
    FINN_CFG_BOOL,
    FINN_CFG_ENUM,     /* string from a fixed set */
    FINN_CFG_STR_LIST,
    FINN_CFG_ENUM_LIST,
    FINN_CFG_INT_LIST,
    FINN_CFG_PATH_LIST
} finn_cfg_type;

/* One known field: FINN's name, type, default (as text, NULL = None),
 * allowed enum values (NULL-terminated) and a one-line description. */
typedef struct finn_cfg_field {
    const char *name;
    finn_cfg_type type;
    const char *dflt;
    const char *const *enum_values;
    const char *doc;
} finn_cfg_field;

/* Every field the parser knows, NULL-name terminated. */
const finn_cfg_field *finn_config_fields(void);

finn_config *finn_config_new(finn_error *err);
void finn_config_free(finn_config *cfg);

/* Parse a recipe (.yaml/.yml) or FINN build config (.json) into cfg,
 * replacing keys it sets.  Unknown keys are errors with "did you mean" and
 * file:line.  Required FINN fields are checked by finn_config_validate. */
int finn_config_load(finn_config *cfg, const char *path, finn_error *err);
int finn_config_load_string(finn_config *cfg, const char *text, const char *what,
                            const char *base_dir, finn_error *err);
/* "--set key=value": value parsed as YAML (so lists "[a, b]" work). */
int finn_config_set(finn_config *cfg, const char *key, const char *value, finn_error *err);
/* Required fields present; board resolves to fpga_part when possible. */
int finn_config_validate(const finn_config *cfg, finn_error *err);

bool finn_config_is_set(const finn_config *cfg, const char *key);
/* Getters return the value or FINN's default; str/path getters return NULL
 * for None.  Asking for an unknown key or the wrong type is a programming
 * error: the getter returns the zero value. */
const char *finn_config_str(const finn_config *cfg, const char *key);
int64_t finn_config_int(const finn_config *cfg, const char *key);
double finn_config_float(const finn_config *cfg, const char *key);
bool finn_config_bool(const finn_config *cfg, const char *key);
/* Lists: count, and item i.  A None list has count 0 and is_set false. */
size_t finn_config_list_len(const finn_config *cfg, const char *key);
const char *finn_config_list_item(const finn_config *cfg, const char *key, size_t i);
bool finn_config_list_has(const finn_config *cfg, const char *key, const char *item);

/* FINN's resolver helpers. */
/* fpga_part if set, else looked up from board + shell_flow_type; NULL if
 * neither gives one (err says why). */
const char *finn_config_fpga_part(const finn_config *cfg, finn_error *err);
double finn_config_hls_clk_ns(const finn_config *cfg);
/* int((1e9 / synth_clk_period_ns) / target_fps), or -1 without target_fps */
int64_t finn_config_target_cycles(const finn_config *cfg);

/* Warnings collected while loading (e.g. unknown keys in a FINN .json,
 * which FINN ignores silently). */
size_t finn_config_warning_count(const finn_config *cfg);
const char *finn_config_warning(const finn_config *cfg, size_t i);

/* Directory of the file the config was loaded from ("." if none). */
const char *finn_config_base_dir(const finn_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
