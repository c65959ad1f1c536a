"""The network diagram's figure: names beside inputs and outputs, values readable on every
node, and a network's weights and biases drawn on its edges and nodes."""

from itertools import pairwise

import numpy as np
import pytest

from builder.errors import DataError
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import LayerSpec
from builder.experiment.summary import diagram_geometry
from builder.plots.diagram import ROLE_COLOURS, network_figure, relative_luminance
from builder.training import jobs


def contrast(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(hex_colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)))


def iris_geometry():
    network = preset_experiment("iris").network
    classes = ["setosa", "versicolor", "virginica"]
    features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    return diagram_geometry(features, network, "multiclass", classes, "species")


def test_traced_values_are_readable_on_every_node_colour():
    geometry = iris_geometry()
    # Extremes and zero in every column: the darkest blue, the darkest red and white.
    values = [[-9.0, 0.0, 4.5, 9.0], [-3.0, -1.0, 0.0, 0.2, 1.0, 2.0, 3.0, 0.01], [0.0, 0.5, 1.0]]
    figure = network_figure(geometry, values, labels=[["a"] * 4, None, ["x"] * 3])
    nodes = [trace for trace in figure.data if trace.mode == "markers+text"]
    assert len(nodes) == 3
    pairs = [
        (fill, ink)
        for trace in nodes
        for fill, ink in zip(trace.marker.color, trace.textfont.color, strict=True)
    ]
    assert len(pairs) == 4 + 8 + 3
    assert {ink for _, ink in pairs} == {"#000000", "#ffffff"}
    assert min(contrast(fill, rgb(ink)) for fill, ink in pairs) >= 4.5
    assert nodes[0].text == ("-9", "0", "4.5", "9")


def test_inputs_and_outputs_carry_their_names_without_hovering():
    geometry = iris_geometry()
    annotations = [a.text for a in network_figure(geometry).layout.annotations]
    assert {"sepal_length", "petal_width", "P(species = virginica)"} <= set(annotations)
    assert not any(text.startswith("layer 1") for text in annotations)  # hidden units stay bare
    labels = [["sepal_length = 5.8", "b", "c", "d"], None, ["species = virginica: 88%"] * 3]
    values = [[1.0] * 4, [1.0] * 8, [0.0, 0.12, 0.88]]
    traced = network_figure(geometry, values, labels=labels).layout.annotations
    assert {"sepal_length = 5.8", "species = virginica: 88%"} <= {a.text for a in traced}


def digits_geometry():
    network = preset_experiment("digits").network
    pixels = [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    return diagram_geometry(pixels, network, "multiclass", [str(d) for d in range(10)])


def random_weights(sizes: list[int], seed: int = 0) -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return {
        "dense" if i == 0 else f"dense_{i}": [
            rng.normal(size=(a, b)).astype(np.float32),
            rng.normal(size=b).astype(np.float32),
        ]
        for i, (a, b) in enumerate(pairwise(sizes))
    }


def edge_weights(figure) -> dict[str, float]:
    """What hovering over each drawn edge says its weight is: {"a → b": weight}."""
    (points,) = [trace for trace in figure.data if trace.name == "weights"]
    return dict(zip(points.text, points.customdata, strict=True))


def node_traces(figure) -> list:
    """The nodes' traces, one per column in order."""
    return [trace for trace in figure.data if trace.mode != "lines" and trace.name != "weights"]


def node_hovers(figure, column: int) -> list[str]:
    return list(node_traces(figure)[column].customdata)


def edge_lines(figure) -> dict[tuple, tuple[str, float]]:
    """Each drawn segment's ends, with the colour and width it is drawn in."""
    lines = {}
    for trace in figure.data:
        if trace.mode == "lines":
            for i in range(0, len(trace.x), 3):
                ends = (trace.x[i], trace.y[i], trace.x[i + 1], trace.y[i + 1])
                lines[ends] = (trace.line.color, trace.line.width)
    return lines


def blueness(colours: list[str]) -> list[float]:
    """Blue minus red of ``rgb(r, g, b)`` colours."""
    channels = [[float(c) for c in colour[4:-1].split(",")] for colour in colours]
    return [b - r for r, _, b in channels]


def test_weights_colour_and_size_the_edges_and_hover_names_each_weight_and_bias():
    geometry = digits_geometry()
    weights = random_weights([64, 50, 50, 10])
    weights["dense"][0][63, 49], weights["dense"][0][63, 48] = 9.0, -0.01
    figure = network_figure(geometry, weights=weights)
    assert sum(trace.mode == "lines" for trace in figure.data) <= 6
    # Compressed columns draw units 0-8 and the last three: each edge reads its own cell.
    kernel, bias = weights["dense"]
    hovers = edge_weights(figure)
    assert len(hovers) == len(geometry.edges) == 12 * 12 + 12 * 12 + 12 * 10
    assert hovers["pixel_7_7 → layer 1, unit 50 (relu)"] == kernel[63, 49]
    assert hovers["pixel_0_2 → layer 1, unit 48 (relu)"] == kernel[2, 47]
    last = weights["dense_2"][0]
    assert hovers["layer 2, unit 49 (relu) → P(target = 9)"] == last[48, 9]
    hidden = node_hovers(figure, 1)
    assert hidden[-1] == f"layer 1, unit 50 (relu)<br>bias {bias[49]:.3g}"
    outputs = node_hovers(figure, 3)
    assert outputs[3].endswith(f"bias {weights['dense_2'][1][3]:.3g}")
    assert "bias" not in node_hovers(figure, 0)[0]
    # Red for positive, blue for negative, the widest line for the layer's largest |w|.
    lines = edge_lines(figure)
    for a, b in geometry.edges:
        w = weights[list(weights)[int(a.x)]][0][a.unit, b.unit]
        colour, _ = lines[(a.x, a.y, b.x, b.y)]
        assert (blueness([colour])[0] < 0) == (w > 0)
    widths = sorted({width for _, width in lines.values()})
    assert len(widths) == 3
    top, bottom = geometry.columns[0].nodes[-1], geometry.columns[1].nodes[-1]  # units 63, 49
    assert lines[(top.x, top.y, bottom.x, bottom.y)][1] == widths[-1]  # the largest |w|
    above = geometry.columns[1].nodes[-2]  # unit 48, its weight near zero
    assert lines[(top.x, top.y, above.x, above.y)][1] == widths[0]
    # Hidden units are coloured by their bias: the most negative is the bluest.
    fills = node_traces(figure)[1].marker.color
    drawn = [n.unit for n in geometry.columns[1].nodes]
    assert blueness(fills).index(max(blueness(fills))) == int(np.argmin(bias[drawn]))


def test_hover_points_do_not_share_a_place():
    figure = network_figure(digits_geometry(), weights=random_weights([64, 50, 50, 10]))
    (points,) = [trace for trace in figure.data if trace.name == "weights"]
    assert len(set(zip(points.x, points.y, strict=True))) == len(points.x)


def test_a_digits_sized_diagram_with_weights_stays_small_enough_to_redraw_live():
    figure = network_figure(digits_geometry(), weights=random_weights([64, 50, 50, 10]))
    assert len(figure.to_json()) < 80_000


def test_weights_that_do_not_fit_the_diagram_are_refused_with_both_shapes():
    geometry = iris_geometry()
    with pytest.raises(DataError, match=r"\(4, 9\).*\(4, 8\)"):
        network_figure(geometry, weights=random_weights([4, 9, 3]))
    wrong_bias = random_weights([4, 8, 3])
    wrong_bias["dense_1"][1] = np.zeros(2, dtype=np.float32)
    with pytest.raises(DataError, match=r"bias of shape \(2,\).*expects \(3,\)"):
        network_figure(geometry, weights=wrong_bias)
    with pytest.raises(DataError, match="2 layers with weights but 3 were received"):
        network_figure(geometry, weights=random_weights([4, 8, 8, 3]))


def test_a_layer_without_bias_keeps_its_colour_and_lists_work_as_well_as_arrays():
    geometry = iris_geometry()
    weights = {
        name: [a.tolist() for a in arrays] for name, arrays in random_weights([4, 8, 3]).items()
    }
    weights["dense"] = weights["dense"][:1]  # use_bias=False: the kernel alone
    figure = network_figure(geometry, weights=weights)
    hidden = node_traces(figure)[1]
    assert hidden.marker.color == ROLE_COLOURS["hidden"]
    assert not any("bias" in text for text in hidden.customdata)
    assert edge_weights(figure)["petal_width → layer 1, unit 8 (relu)"] == np.float32(
        weights["dense"][0][3][7]
    )


@pytest.fixture(scope="module")
def pool():
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1)
    yield pool
    pool.shutdown()


def test_the_diagram_draws_the_weights_of_the_workers_model(pool):
    # A compressed layer (16 units, 12 drawn), a dropout layer (no weights) and a
    # layer without bias: every way the layers and the drawn units can slip apart.
    experiment = preset_experiment("iris")
    experiment.network.hidden = [
        LayerSpec(units=16, dropout=0.2),
        LayerSpec(units=4, activation="tanh", use_bias=False),
    ]
    experiment.train.epochs = 3
    job = jobs.submit_training(experiment, pool=pool)
    # A fresh worker imports TensorFlow first, on a busy machine (load 40 seen).
    assert job.wait(600) and job.state == jobs.FINISHED, job.error
    prep = job.prep
    geometry = diagram_geometry(
        prep["feature_names"],
        experiment.network,
        prep["task"],
        [str(c) for c in prep["classes"]],
        prep["target"],
    )
    # The worker's model's own weights, as nested lists, by layer in order (Keras
    # numbers the layers' names per process).
    model = [[np.asarray(a, dtype=np.float32) for a in w] for w in job.result["weights"].values()]
    (kernel_1, bias_1), (kernel_2,), (kernel_3, bias_3) = model
    epochs, snapshot = job.snapshots[-1]
    assert epochs == 3
    figure = network_figure(geometry, weights=snapshot)
    hovers = edge_weights(figure)
    assert hovers["sepal_length → layer 1, unit 1 (relu)"] == kernel_1[0, 0]
    assert hovers["petal_width → layer 1, unit 16 (relu)"] == kernel_1[3, 15]
    assert hovers["layer 1, unit 14 (relu) → layer 2, unit 3 (tanh)"] == kernel_2[13, 2]
    assert hovers["layer 2, unit 4 (tanh) → P(species = virginica)"] == kernel_3[3, 2]
    hidden = node_hovers(figure, 1)
    assert hidden[-3] == f"layer 1, unit 14 (relu)<br>bias {bias_1[13]:.3g}"
    assert not any("bias" in text for text in node_hovers(figure, 2))
    outputs = node_hovers(figure, 3)
    assert outputs == [
        f"P(species = {name})<br>bias {b:.3g}"
        for name, b in zip(["setosa", "versicolor", "virginica"], bias_3, strict=True)
    ]
    # The first snapshot is the run's starting point, drawn the same way.
    start = edge_weights(network_figure(geometry, weights=job.snapshots[0][1]))
    initial = np.asarray(next(iter(job.result["initial_weights"].values()))[0], dtype=np.float32)
    assert start["petal_width → layer 1, unit 16 (relu)"] == initial[3, 15]


def test_a_diverged_runs_weights_still_draw_and_say_so_on_hover():
    weights = random_weights([4, 8, 3])
    weights["dense"][0][0, 0], weights["dense"][0][1, 0] = np.nan, np.inf
    weights["dense"][1][0] = np.nan
    figure = network_figure(iris_geometry(), weights=weights)
    hovers = edge_weights(figure)
    assert np.isnan(hovers["sepal_length → layer 1, unit 1 (relu)"])
    assert np.isinf(hovers["sepal_width → layer 1, unit 1 (relu)"])
    assert node_hovers(figure, 1)[0].endswith("bias nan")
