// fib_rnn_attention's two GRU nets, compiled apart from main.cpp (train.hpp says why).
#include "fib_rnn_attention/train.hpp"

FIB_RNN_ATTENTION_TRAIN(fib::gru_baseline_type, false);
FIB_RNN_ATTENTION_TRAIN(fib::gru_attention_type, true);
