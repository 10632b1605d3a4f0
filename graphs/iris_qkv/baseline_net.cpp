// iris_qkv's linear baseline, compiled apart from main.cpp (train.hpp says why).
#include "iris_qkv/train.hpp"

IRIS_QKV_TRAIN(iq::baseline_type);
