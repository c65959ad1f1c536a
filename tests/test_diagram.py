"""The network diagram's figure: names beside inputs and outputs, values readable on every node."""

from builder.experiment.presets import preset_experiment
from builder.experiment.summary import diagram_geometry
from builder.plots.diagram import network_figure, relative_luminance


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
