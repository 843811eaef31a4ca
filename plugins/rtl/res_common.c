/*
 * res_common.c - the rtl plugin's copy of the shared resource-estimate
 * helpers.  Each plugin is its own shared object with hidden symbols, so the
 * one implementation in plugins/hls/res_common.c is compiled into both
 * rather than kept twice.
 */
#include "hls/res_common.c"
