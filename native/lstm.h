/* Fused LSTM cell (lstm.c); layouts as Backend.lstmCell / lstmCellBackward in backend.ts. */
#ifndef ATTENTIVE_LSTM_H
#define ATTENTIVE_LSTM_H
void att_lstm_cell(const float *gates, const float *c, long b, long h, float *hc, float *saved);
void att_lstm_cell_backward(const float *dhc, const float *c, const float *saved, long b, long h, float *dgates,
                            float *dc);
#endif
