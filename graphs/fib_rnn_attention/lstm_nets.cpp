// fib_rnn_attention's two LSTM nets, compiled apart from main.cpp (train.hpp says why).
#include "fib_rnn_attention/train.hpp"

FIB_RNN_ATTENTION_TRAIN(fib::lstm_baseline_type, false);
FIB_RNN_ATTENTION_TRAIN(fib::lstm_attention_type, true);
