/**
 * PyTorch parity of MultiheadAttention, the Transformer layers and nn.Transformer (fixtures from
 * tools/make_transformer_fixtures.py in test/fixtures/torch/transformer/): outputs, weights and
 * every input and parameter gradient, on both backends; a torch state dict loaded by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { loadWeightsInto } from '../../src/io/module-state.js';
import type { Module } from '../../src/nn/module.js';
import {
  MultiheadAttention, Transformer, TransformerDecoderLayer, TransformerEncoderLayer, generateSquareSubsequentMask,
  type TransformerLayerOptions,
} from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  FIXTURE_DIR, checkParity, fixtureTest, leaf, need, stripPrefix, type Fixture, type Tolerance,
} from '../helpers/fixtures.js';

const BACKENDS: Backend[] = nativeBackend ? [jsBackend, nativeBackend] : [jsBackend];
const DIR = 'transformer/';
const GRAD: Tolerance = { atol: 1e-4, rtol: 1e-3 };

type Args = Record<string, unknown>;

/** The stored mask input as we take it: I32 = boolean, F32 = additive (the fixtures keep torch's kind). */
function maskOf(fx: Fixture, name: string): Tensor | null {
  return fx.tensors[name] ? leaf(fx.tensors[name]) : null;
}

function layerOptions(a: Args): TransformerLayerOptions {
  return {
    dimFeedforward: a.dim_feedforward as number, dropout: a.dropout as number, activation: a.activation as 'relu' | 'gelu',
    batchFirst: a.batch_first as boolean, normFirst: a.norm_first as boolean,
  };
}

function load(m: Module, fx: Fixture): void {
  m.loadStateDict(stripPrefix(fx.tensors, 'param.'));
}

function run(fx: Fixture, build: (a: Args) => Module, forward: (m: Module, ins: Record<string, Tensor>) => Record<string, Tensor>): void {
  for (const be of BACKENDS) {
    withBackend(be, () => {
      const m = build(fx.config.args as Args);
      load(m, fx);
      const inputs: Record<string, Tensor> = {};
      for (const [name, spec] of Object.entries(fx.config.inputs as Record<string, { requires_grad: boolean }>)) {
        if (spec.requires_grad) inputs[name] = leaf(need(fx, name), true);
      }
      try {
        checkParity(fx, { outputs: forward(m, inputs), inputs, module: m, gradTol: GRAD });
      } catch (e) {
        throw new Error(`[${be.name} backend] ${(e as Error).message}`);
      }
    });
  }
}

for (const name of ['mha_bool_masks', 'mha_float_masks', 'mha_float_padding', 'mha_kdim_vdim', 'mha_unbatched']) {
  fixtureTest(DIR + name, (fx) => {
    const notes = fx.config.notes as { need_weights: boolean; average_attn_weights: boolean };
    run(fx, (a) => new MultiheadAttention(a.embed_dim as number, a.num_heads as number, {
      batchFirst: a.batch_first as boolean | undefined, kdim: a.kdim as number | undefined, vdim: a.vdim as number | undefined,
      bias: a.bias as boolean | undefined,
    }), (m, i): Record<string, Tensor> => {
      const r = (m as MultiheadAttention).forward(i.query, i.key, i.value, {
        attnMask: maskOf(fx, 'attn_mask'), keyPaddingMask: maskOf(fx, 'key_padding_mask'),
        needWeights: notes.need_weights, averageAttnWeights: notes.average_attn_weights,
      });
      return notes.need_weights ? { output: r.output, 'output.weights': r.weights! } : { output: r.output };
    });
  }, `torch parity: MultiheadAttention ${name}`);
}

for (const name of ['encoder_layer_post_relu', 'encoder_layer_pre_gelu']) {
  fixtureTest(DIR + name, (fx) => {
    run(fx, (a) => new TransformerEncoderLayer(a.d_model as number, a.nhead as number, layerOptions(a)),
      (m, i) => ({ output: (m as TransformerEncoderLayer).forward(i.src, { srcKeyPaddingMask: maskOf(fx, 'src_key_padding_mask') }) }));
  }, `torch parity: TransformerEncoderLayer ${name}`);
}

for (const name of ['decoder_layer_post_gelu', 'decoder_layer_pre_relu']) {
  fixtureTest(DIR + name, (fx) => {
    run(fx, (a) => new TransformerDecoderLayer(a.d_model as number, a.nhead as number, layerOptions(a)),
      (m, i) => ({
        output: (m as TransformerDecoderLayer).forward(i.tgt, i.memory, {
          tgtMask: maskOf(fx, 'tgt_mask'), memoryKeyPaddingMask: maskOf(fx, 'memory_key_padding_mask'),
        }),
      }));
  }, `torch parity: TransformerDecoderLayer ${name}`);
}

function transformerOf(a: Args): Transformer {
  return new Transformer({
    dModel: a.d_model as number, nhead: a.nhead as number, numEncoderLayers: a.num_encoder_layers as number,
    numDecoderLayers: a.num_decoder_layers as number, ...layerOptions(a),
  });
}

for (const name of ['transformer_post_relu', 'transformer_pre_gelu']) {
  fixtureTest(DIR + name, (fx) => {
    run(fx, transformerOf, (m, i) => ({
      output: (m as Transformer).forward(i.src, i.tgt, {
        tgtMask: maskOf(fx, 'tgt_mask'), srcKeyPaddingMask: maskOf(fx, 'src_key_padding_mask'),
        memoryKeyPaddingMask: maskOf(fx, 'memory_key_padding_mask'),
      }),
    }));
  }, `torch parity: nn.Transformer ${name} (forward and every gradient)`);
}

test('a torch nn.Transformer state dict saved as safetensors loads by name with loadWeightsInto and gives torch\'s output', (t) => {
  const dir = join(FIXTURE_DIR, 'transformer');
  const file = join(dir, 'state_dict_transformer.safetensors');
  if (!existsSync(file)) {
    t.skip(`fixture ${file} not found`);
    return;
  }
  const cfg = JSON.parse(readFileSync(join(dir, 'state_dict_transformer.json'), 'utf8')) as { args: Args };
  const weights = decodeSafetensors(readFileSync(file)).tensors;
  assert.ok('encoder.layers.0.self_attn.in_proj_weight' in weights && 'decoder.layers.1.multihead_attn.out_proj.bias' in weights && 'decoder.norm.weight' in weights);
  const io = decodeSafetensors(readFileSync(join(dir, 'state_dict_transformer_io.safetensors'))).tensors;
  const asTensor = (k: string) => new Tensor(io[k].data, io[k].shape.slice());
  for (const be of BACKENDS) {
    withBackend(be, () => {
      const m = transformerOf(cfg.args).eval();
      loadWeightsInto(m, weights, file);
      const out = m.forward(asTensor('src'), asTensor('tgt'), { tgtMask: generateSquareSubsequentMask(4) });
      const want = asTensor('output').values(), got = out.values();
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]), `${be.name}: element ${i}: ${got[i]} vs ${want[i]}`);
    });
  }
  // a missing key is named
  const partial = { ...weights };
  delete partial['decoder.norm.bias'];
  assert.throws(() => loadWeightsInto(transformerOf(cfg.args), partial, 'torch.safetensors'), /decoder\.norm\.bias/);
});
