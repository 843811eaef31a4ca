"""Compare an ONNX file saved by finn-run with the file it was loaded from.

Usage: onnx_roundtrip.py ORIGINAL SAVED
Prints one line per difference and "roundtrip ok" when there is none.  The
saved file must also pass onnx.checker, except for the one limit of the
checker itself: an ir_version newer than the installed onnx knows.
"""
import sys

import onnx


def main(orig_path, saved_path):
    a = onnx.load(orig_path)
    b = onnx.load(saved_path)
    bad = []
    ga, gb = a.graph, b.graph
    for field in ("node", "initializer", "input", "output", "value_info",
                  "quantization_annotation"):
        la, lb = list(getattr(ga, field)), list(getattr(gb, field))
        if la != lb:
            bad.append("graph.%s differs (%d vs %d entries)" % (field, len(la), len(lb)))
    if ga.name != gb.name:
        bad.append("graph name differs")
    if list(a.metadata_props) != list(b.metadata_props):
        bad.append("metadata_props differ")
    for f in ("ir_version", "producer_name", "producer_version", "domain", "model_version",
              "doc_string"):
        if getattr(a, f) != getattr(b, f):
            bad.append("model.%s differs" % f)
    # every original opset import is kept, in order, in front
    oa = [(o.domain, o.version) for o in a.opset_import]
    ob = [(o.domain, o.version) for o in b.opset_import]
    if ob[:len(oa)] != oa:
        bad.append("opset imports changed: %s -> %s" % (oa, ob))
    used = {n.domain for n in gb.node}
    imported = {("" if d == "ai.onnx" else d) for d, _ in ob}
    for d in used:
        if d not in imported:
            bad.append("domain %r used but not imported" % d)
    try:
        onnx.checker.check_model(b)
    except onnx.checker.ValidationError as e:
        msg = str(e)
        if "ir_version is higher than the checker" not in msg:
            bad.append("checker: " + msg.splitlines()[0])
    for line in bad:
        print(line)
    if not bad:
        print("roundtrip ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
