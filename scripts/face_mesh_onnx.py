"""Converts MediaPipe's face_landmark.tflite (468-point face mesh) to an ONNX graph tract can run.

The flatbuffer is read with the `tflite` parser; every operator becomes its NCHW ONNX twin, the
fp16 weights are dequantized to f32. Usage: convert.py IN.tflite OUT.onnx
"""
import sys

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper

OPS = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith("_")}
NP = {tflite.TensorType.FLOAT32: np.float32, tflite.TensorType.FLOAT16: np.float16,
      tflite.TensorType.INT32: np.int32}


def main(src, dst):
    buf = open(src, "rb").read()
    model = tflite.Model.GetRootAsModel(buf, 0)
    g = model.Subgraphs(0)
    consts, shapes, nodes, inits = {}, {}, [], []

    def tensor(i):
        return g.Tensors(i)

    def name(i):
        return "t%d" % i

    def const_of(i):
        t = tensor(i)
        b = model.Buffers(t.Buffer())
        if b.DataLength() == 0:
            return None
        return np.frombuffer(b.DataAsNumpy().tobytes(), dtype=NP[t.Type()]).reshape(t.ShapeAsNumpy())

    def add_init(arr, nm):
        inits.append(numpy_helper.from_array(arr, nm))
        return nm

    for i in range(g.TensorsLength()):
        shapes[i] = list(tensor(i).ShapeAsNumpy())
        c = const_of(i)
        if c is not None:
            consts[i] = c

    def same_pads(in_hw, k, s, d=(1, 1)):
        pads_b, pads_e = [], []
        for x, kk, ss, dd in zip(in_hw, k, s, d):
            out = -(-x // ss)
            total = max((out - 1) * ss + (kk - 1) * dd + 1 - x, 0)
            pads_b.append(total // 2)
            pads_e.append(total - total // 2)
        return pads_b + pads_e

    def activation(out, fused):
        if fused == tflite.ActivationFunctionType.NONE:
            return out
        assert fused == tflite.ActivationFunctionType.RELU, fused
        nodes.append(helper.make_node("Relu", [out + "_pre"], [out]))
        return out + "_pre"

    inp = g.Inputs(0)
    nodes.append(helper.make_node("Transpose", ["input"], [name(inp)], perm=[0, 3, 1, 2]))
    for n in range(g.OperatorsLength()):
        op = g.Operators(n)
        code = model.OperatorCodes(op.OpcodeIndex())
        kind = OPS[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        ins = [op.Inputs(k) for k in range(op.InputsLength())]
        out = op.Outputs(0)
        opts = op.BuiltinOptions()
        if kind == "DEQUANTIZE":
            consts[out] = consts[ins[0]].astype(np.float32)
            continue
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            o = (tflite.Conv2DOptions if kind == "CONV_2D" else tflite.DepthwiseConv2DOptions)()
            o.Init(opts.Bytes, opts.Pos)
            w = consts[ins[1]]
            in_hw = shapes[ins[0]][1:3]
            if kind == "CONV_2D":
                wt, group = w.transpose(0, 3, 1, 2), 1
            else:
                wt, group = w.transpose(3, 0, 1, 2), shapes[ins[0]][3]
            k = list(wt.shape[2:])
            s = [o.StrideH(), o.StrideW()]
            d = [o.DilationHFactor(), o.DilationWFactor()]
            pads = same_pads(in_hw, k, s, d) if o.Padding() == tflite.Padding.SAME else [0, 0, 0, 0]
            args = [name(ins[0]), add_init(np.ascontiguousarray(wt, np.float32), name(ins[1]) + "_w")]
            if len(ins) > 2 and ins[2] >= 0:
                args.append(add_init(consts[ins[2]].astype(np.float32), name(ins[2]) + "_b"))
            tgt = activation(name(out), o.FusedActivationFunction())
            nodes.append(helper.make_node("Conv", args, [tgt], kernel_shape=k, strides=s,
                                          dilations=d, pads=pads, group=group))
        elif kind == "PRELU":
            alpha = consts[ins[1]].astype(np.float32).reshape(-1, 1, 1)
            nodes.append(helper.make_node("PRelu", [name(ins[0]), add_init(alpha, name(ins[1]) + "_a")],
                                          [name(out)]))
        elif kind == "ADD":
            o = tflite.AddOptions()
            o.Init(opts.Bytes, opts.Pos)
            tgt = activation(name(out), o.FusedActivationFunction())
            nodes.append(helper.make_node("Add", [name(ins[0]), name(ins[1])], [tgt]))
        elif kind == "MAX_POOL_2D":
            o = tflite.Pool2DOptions()
            o.Init(opts.Bytes, opts.Pos)
            k = [o.FilterHeight(), o.FilterWidth()]
            s = [o.StrideH(), o.StrideW()]
            pads = same_pads(shapes[ins[0]][1:3], k, s) if o.Padding() == tflite.Padding.SAME else [0, 0, 0, 0]
            tgt = activation(name(out), o.FusedActivationFunction())
            nodes.append(helper.make_node("MaxPool", [name(ins[0])], [tgt], kernel_shape=k, strides=s, pads=pads))
        elif kind == "PAD":
            p = consts[ins[1]].astype(np.int64)  # NHWC [[b, e], ...]
            nchw = p[[0, 3, 1, 2]]
            pads = np.concatenate([nchw[:, 0], nchw[:, 1]]).astype(np.int64)
            nodes.append(helper.make_node("Pad", [name(ins[0]), add_init(pads, name(out) + "_p")], [name(out)]))
        else:
            raise SystemExit("unsupported operator " + kind)
    outs = []
    for k, label in ((0, "landmarks"), (1, "presence")):
        t = g.Outputs(k)
        size = int(np.prod(shapes[t]))
        shp = add_init(np.array([-1, size], np.int64), label + "_shape")
        nodes.append(helper.make_node("Reshape", [name(t), shp], [label]))
        outs.append(helper.make_tensor_value_info(label, TensorProto.FLOAT, [1, size]))
    graph = helper.make_graph(nodes, "face_landmark", [
        helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 192, 192, 3])], outs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="idv")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
