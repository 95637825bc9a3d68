/* Registration of the element-wise and other non-GEMM kernels (addon_kernels.c). */
#ifndef ATTENTIVE_KERNELS_H
#define ATTENTIVE_KERNELS_H
#include <node_api.h>
/* Adds the kernel functions to `exports`; returns 0 after throwing on failure. */
int att_register_kernels(napi_env env, napi_value exports);
/* Registers the kernels of addon_ops.c (called by att_register_kernels). */
int att_register_ops(napi_env env, napi_value exports);
/* addon_transformer.c: attention and layer normalisation */
int att_register_transformer(napi_env env, napi_value exports);
#endif
