{
  "targets": [
    {
      "target_name": "attentive",
      "sources": [
        "native/addon.c",
        "native/addon_kernels.c",
        "native/cpu.c",
        "native/memory.c",
        "native/threadpool.c",
        "native/gemm.c",
        "native/gemm_avx2.c",
        "native/gemm_avx512.c",
        "native/gemm_small_avx2.c",
        "native/elementwise.c",
        "native/softmax.c",
        "native/xent.c",
        "native/sdpa.c",
        "native/layernorm.c",
        "native/addon_transformer.c",
        "native/reduce.c",
        "native/indexing.c",
        "native/adam.c",
        "native/sgd.c",
        "native/im2col.c",
        "native/vmath.c",
        "native/lstm.c",
        "native/copy.c",
        "native/topk.c",
        "native/pool.c",
        "native/addon_ops.c"
      ],
      "defines": ["NAPI_VERSION=8", "_DEFAULT_SOURCE"],
      "cflags!": ["-O2", "-O0", "-fno-strict-aliasing"],
      "cflags": ["-std=c11", "-O3", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["OS=='linux'", {"libraries": ["-lpthread", "-lm"], "ldflags": ["-pthread"], "cflags": ["-pthread"]}],
        ["OS=='mac'", {"xcode_settings": {"OTHER_CFLAGS": ["-std=c11", "-O3", "-fno-math-errno"], "GCC_OPTIMIZATION_LEVEL": "3"}}]
      ]
    }
  ]
}
