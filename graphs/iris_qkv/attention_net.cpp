// iris_qkv's attention net, compiled apart from main.cpp (train.hpp says why).
#include "iris_qkv/train.hpp"

IRIS_QKV_TRAIN(iq::attention_type);
