/** The registry of benchmark workloads: add a file in this folder and one line here. */
import type { Workload } from '../types.js';
import { sgemm } from './sgemm.js';
import { w1Seq2seq } from './w1-seq2seq.js';
import { w2Transformer } from './w2-transformer.js';
import { w3Beam } from './w3-beam.js';
import { w4Rbm } from './w4-rbm.js';
import { w5Mlp } from './w5-mlp.js';
import { w6TransformerBeam } from './transformer-beam.js';
import { w6Sat } from './w6-sat.js';

export const WORKLOADS: readonly Workload[] = [sgemm, w1Seq2seq, w2Transformer, w3Beam, w4Rbm, w5Mlp, w6Sat, w6TransformerBeam];
