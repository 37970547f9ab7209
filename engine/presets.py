"""The lessons: named configs from the seed notes, each with what to watch (en, 简, 繁).

A preset is a base config; fields given beside it (in a URL or a request) override it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.config import ConfigError, RunConfig


@dataclass(frozen=True)
class Preset:
    name: str
    config: dict[str, Any]
    title: dict[str, str]  # by language: en, zh-Hans, zh-Hant
    watch: dict[str, str]
    seeds: tuple[str, ...]  # the seed notes it comes from
    steps: int  # a good number of steps to watch it for


def _p(
    name: str,
    config: dict,
    seeds: tuple[str, ...],
    steps: int,
    title: tuple[str, str, str],
    watch: tuple[str, str, str],
) -> Preset:
    langs = ("en", "zh-Hans", "zh-Hant")
    return Preset(
        name, config, dict(zip(langs, title, strict=True)), dict(zip(langs, watch, strict=True)), seeds, steps
    )


XOR = {
    "dataset": "xor",
    "n_samples": 4,
    "hidden": [2],
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "loss": "half_sse",
    "init": "uniform",
    "init_scale": 1.0,
    "learning_rate": 2.0,
    "seed": 0,
}
DIGITS = {
    "dataset": "digits",
    "n_samples": 5000,
    "test_ratio": 0.2,
    "hidden": [16, 16],
    "activation": "sigmoid",
    "output_activation": "softmax",
    "loss": "cross_entropy",
    "init": "xavier",
    "learning_rate": 0.5,
    "batch_size": 32,
    "seed": 0,
}
DEEP = {
    "dataset": "circle",
    "n_samples": 200,
    "noise": 0.05,
    "test_ratio": 0.2,
    "hidden": [8] * 6,
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "loss": "bce",
    "init": "xavier",
    "learning_rate": 0.3,
    "batch_size": 20,
    "seed": 0,
}
SPIRAL = {
    "dataset": "spiral",
    "n_samples": 300,
    "noise": 0.02,
    "test_ratio": 0.2,
    "hidden": [16, 16],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "init": "xavier",
    "batch_size": 30,
    "seed": 0,
}
MOONS = {
    "dataset": "moons",
    "n_samples": 200,
    "noise": 0.1,
    "test_ratio": 0.2,
    "hidden": [8],
    "activation": "tanh",
    "output_activation": "sigmoid",
    "loss": "bce",
    "init": "xavier",
    "batch_size": 20,
    "seed": 0,
}

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        _p(
            "xor",
            XOR,
            ("002",),
            3000,
            ("XOR with 2-2-1 sigmoid", "XOR：2-2-1 sigmoid 网络", "XOR：2-2-1 sigmoid 網路"),
            (
                "Seed 002's network: two inputs, two hidden sigmoid neurons, one output, ½ squared error, "
                "plain gradient descent on all four rows. Step one phase at a time: the forward pass fills in z "
                "and a, the loss compares ŷ with y, then δ₂ = (ŷ − y)·σ′(z₂) appears at the output and "
                "δ₁ = (W₂ᵀδ₂)·σ′(z₁) one layer back. Each weight's arrow is −∂L/∂w: the update moves it that way. "
                "Watch the loss sit on a plateau, then fall once the hidden neurons split the corners.",
                "种子笔记 002 的网络：两个输入、两个 sigmoid 隐藏神经元、一个输出，损失为 ½ 平方误差，"
                "对全部四行做普通梯度下降。逐个阶段地走：前向传播算出 z 和 a，损失比较 ŷ 与 y，"
                "接着输出层出现 δ₂ = (ŷ − y)·σ′(z₂)，再往回一层得到 δ₁ = (W₂ᵀδ₂)·σ′(z₁)。"
                "每个权重上的箭头是 −∂L/∂w，更新就朝这个方向移动它。"
                "注意损失先在平台上停留，等隐藏神经元把四个角分开后才迅速下降。",
                "種子筆記 002 的網路：兩個輸入、兩個 sigmoid 隱藏神經元、一個輸出，損失為 ½ 平方誤差，"
                "對全部四列做普通梯度下降。逐個階段地走：前向傳播算出 z 和 a，損失比較 ŷ 與 y，"
                "接著輸出層出現 δ₂ = (ŷ − y)·σ′(z₂)，再往回一層得到 δ₁ = (W₂ᵀδ₂)·σ′(z₁)。"
                "每個權重上的箭頭是 −∂L/∂w，更新就朝這個方向移動它。"
                "注意損失先在平台上停留，等隱藏神經元把四個角分開後才迅速下降。",
            ),
        ),
        _p(
            "chain",
            {
                "dataset": "custom",
                "data": {"x": [[1.0]], "y": [[1.0]]},
                "hidden": [1],
                "activation": "sigmoid",
                "output_activation": "sigmoid",
                "loss": "sse",
                "weights": [{"W": [[0.5]], "b": [0.0]}, {"W": [[-0.8]], "b": [0.2]}],
                "learning_rate": 1.0,
                "seed": 0,
            },
            ("004",),
            50,
            ("The chain rule on one neuron", "单个神经元上的链式法则", "單個神經元上的鏈式法則"),
            (
                "Seed 004's chain: one neuron per layer, one example, cost C = (a − y)². Click the last weight: "
                "∂C/∂w = a^(L−1) · σ′(z) · 2(a − y), three factors you can read off the network. The first factor "
                "says a weight matters as much as the activation it multiplies; the last says how wrong the "
                "output is. The finite-difference estimate beside it agrees to many digits.",
                "种子笔记 004 的链条：每层一个神经元，一个样本，代价 C = (a − y)²。点击最后一个权重："
                "∂C/∂w = a^(L−1) · σ′(z) · 2(a − y)，三个因子都能在网络上直接读出。"
                "第一个因子说明权重的影响取决于它所乘的激活值；最后一个说明输出错得有多远。"
                "旁边的有限差分估计与它在许多位上一致。",
                "種子筆記 004 的鏈條：每層一個神經元，一個樣本，代價 C = (a − y)²。點擊最後一個權重："
                "∂C/∂w = a^(L−1) · σ′(z) · 2(a − y)，三個因子都能在網路上直接讀出。"
                "第一個因子說明權重的影響取決於它所乘的激活值；最後一個說明輸出錯得有多遠。"
                "旁邊的有限差分估計與它在許多位上一致。",
            ),
        ),
        _p(
            "digits",
            DIGITS,
            ("004",),
            3000,
            ("Digits: 784-16-16-10", "手写数字：784-16-16-10", "手寫數字：784-16-16-10"),
            (
                "3Blue1Brown's network: 784 pixels, two hidden layers of 16, ten outputs, 13,002 weights and "
                "biases, trained on real 28×28 handwritten digits in mini-batches of 32. Pick one image of a 2: "
                "the output layer wants the '2' neuron up and the others down; one layer back, each output asks "
                "its own nudges of the hidden activations, and their sum is that layer's error. Then compare "
                "one image's gradient with the mini-batch's and the whole data set's.",
                "3Blue1Brown 的网络：784 个像素、两个各 16 个神经元的隐藏层、10 个输出，共 13,002 个权重和偏置，"
                "用真实的 28×28 手写数字以 32 个为一批训练。选一张“2”：输出层希望“2”神经元升高、其余降低；"
                "往回一层，每个输出都向隐藏激活提出自己的微调，它们的总和就是该层的误差。"
                "再把单张图片的梯度与小批量、全体数据的梯度比较。",
                "3Blue1Brown 的網路：784 個像素、兩個各 16 個神經元的隱藏層、10 個輸出，共 13,002 個權重和偏置，"
                "用真實的 28×28 手寫數字以 32 個為一批訓練。選一張「2」：輸出層希望「2」神經元升高、其餘降低；"
                "往回一層，每個輸出都向隱藏激活提出自己的微調，它們的總和就是該層的誤差。"
                "再把單張圖片的梯度與小批量、全體資料的梯度比較。",
            ),
        ),
        _p(
            "digits_sse",
            {**DIGITS, "output_activation": "sigmoid", "loss": "sse", "learning_rate": 1.0},
            ("004",),
            3000,
            (
                "Digits with squared error (as in the video)",
                "手写数字：平方误差（同视频）",
                "手寫數字：平方誤差（同影片）",
            ),
            (
                "The same 784-16-16-10 network with sigmoid outputs and the video's cost, the sum of squared "
                "differences. Compare its learning speed with the softmax + cross-entropy version: squared error "
                "multiplies the output error by σ′(z), which is tiny when an output is confidently wrong.",
                "同样的 784-16-16-10 网络，改用 sigmoid 输出和视频里的代价：差的平方和。"
                "与 softmax + 交叉熵版本比较学习速度：平方误差把输出误差乘上 σ′(z)，"
                "当输出自信地出错时这个因子非常小。",
                "同樣的 784-16-16-10 網路，改用 sigmoid 輸出和影片裡的代價：差的平方和。"
                "與 softmax + 交叉熵版本比較學習速度：平方誤差把輸出誤差乘上 σ′(z)，"
                "當輸出自信地出錯時這個因子非常小。",
            ),
        ),
        _p(
            "vanishing",
            DEEP,
            ("000", "003"),
            2000,
            ("Vanishing gradients: deep sigmoid", "梯度消失：深层 sigmoid", "梯度消失：深層 sigmoid"),
            (
                "Six hidden sigmoid layers. σ′ is at most ¼, and backprop multiplies one such factor per layer, "
                "so the gradient-norm plot (log scale) drops layer by layer toward the input: the first layers "
                "barely move and the loss stalls. Compare with the ReLU version.",
                "六个 sigmoid 隐藏层。σ′ 最大只有 ¼，反向传播每经过一层就乘上一个这样的因子，"
                "所以梯度范数图（对数坐标）越靠近输入越小：前几层几乎不动，损失停滞。与 ReLU 版本比较。",
                "六個 sigmoid 隱藏層。σ′ 最大只有 ¼，反向傳播每經過一層就乘上一個這樣的因子，"
                "所以梯度範數圖（對數座標）越靠近輸入越小：前幾層幾乎不動，損失停滯。與 ReLU 版本比較。",
            ),
        ),
        _p(
            "vanishing_relu",
            {**DEEP, "activation": "relu", "init": "he", "learning_rate": 0.05},
            ("000", "003"),
            2000,
            ("Same depth with ReLU", "同样深度，改用 ReLU", "同樣深度，改用 ReLU"),
            (
                "The same six hidden layers with ReLU and He initialisation. ReLU's derivative is 1 wherever a "
                "neuron is active, so the gradient reaches the first layers at a similar size and the whole "
                "network learns.",
                "同样的六个隐藏层，改用 ReLU 和 He 初始化。神经元激活时 ReLU 的导数是 1，"
                "所以梯度传到前几层时大小相近，整个网络都在学习。",
                "同樣的六個隱藏層，改用 ReLU 和 He 初始化。神經元激活時 ReLU 的導數是 1，"
                "所以梯度傳到前幾層時大小相近，整個網路都在學習。",
            ),
        ),
        _p(
            "exploding",
            {
                **DEEP,
                "activation": "tanh",
                "init": "normal",
                "init_scale": 3.0,
                "learning_rate": 0.5,
                "output_activation": "linear",
                "loss": "half_sse",
                "dataset": "gauss_reg",
            },
            ("000", "003"),
            300,
            ("Exploding gradients", "梯度爆炸", "梯度爆炸"),
            (
                "Large initial weights make every layer multiply the backward signal by more than one, so the "
                "gradient norm grows toward the input and single steps throw the weights far away. Watch the "
                "loss jump around or diverge. Then turn on clipping.",
                "较大的初始权重让每一层都把反向信号放大，梯度范数越靠近输入越大，"
                "一步更新就能把权重甩得很远。观察损失上下跳动甚至发散，然后打开梯度裁剪。",
                "較大的初始權重讓每一層都把反向訊號放大，梯度範數越靠近輸入越大，"
                "一步更新就能把權重甩得很遠。觀察損失上下跳動甚至發散，然後打開梯度裁剪。",
            ),
        ),
        _p(
            "clipping",
            {
                **DEEP,
                "activation": "tanh",
                "init": "normal",
                "init_scale": 3.0,
                "learning_rate": 0.5,
                "output_activation": "linear",
                "loss": "half_sse",
                "dataset": "gauss_reg",
                "clip": 1.0,
            },
            ("000", "003"),
            300,
            ("Gradient clipping", "梯度裁剪", "梯度裁剪"),
            (
                "The exploding network with the gradient's global norm clipped to 1. The direction of each "
                "step is kept, only its length is capped: the 'clipped' flag lights up while the raw norm is "
                "large, and the loss now falls steadily.",
                "在梯度爆炸的网络上把梯度的全局范数裁剪到 1。每一步的方向不变，只限制长度："
                "原始范数很大时“已裁剪”标志亮起，损失现在稳定下降。",
                "在梯度爆炸的網路上把梯度的全域範數裁剪到 1。每一步的方向不變，只限制長度："
                "原始範數很大時「已裁剪」標誌亮起，損失現在穩定下降。",
            ),
        ),
        _p(
            "lr_low",
            {**MOONS, "learning_rate": 0.01},
            ("000", "003"),
            1000,
            ("Learning rate too low", "学习率太小", "學習率太小"),
            (
                "η = 0.01: every arrow is right, but each step moves the weights a hundredth of the way. "
                "The loss creeps down; compare with η = 0.3 and with η = 30.",
                "η = 0.01：每个箭头都指对了方向，但每一步只走了百分之一。损失缓慢下降；与 η = 0.3 和 η = 30 比较。",
                "η = 0.01：每個箭頭都指對了方向，但每一步只走了百分之一。損失緩慢下降；與 η = 0.3 和 η = 30 比較。",
            ),
        ),
        _p(
            "lr_good",
            {**MOONS, "learning_rate": 0.3},
            ("000", "003"),
            1000,
            ("A good learning rate", "合适的学习率", "合適的學習率"),
            (
                "η = 0.3: steps large enough to make progress and small enough that the loss keeps falling.",
                "η = 0.3：步子大到能前进，又小到损失持续下降。",
                "η = 0.3：步子大到能前進，又小到損失持續下降。",
            ),
        ),
        _p(
            "lr_high",
            {**MOONS, "learning_rate": 30.0},
            ("000", "003"),
            300,
            ("Learning rate too high", "学习率太大", "學習率太大"),
            (
                "η = 30: each step overshoots the valley. The loss jumps up and down instead of falling, and the "
                "update arrows are far longer than the distance to a good weight.",
                "η = 30：每一步都冲过谷底。损失上下跳动而不是下降，更新箭头远比到好权重的距离长。",
                "η = 30：每一步都衝過谷底。損失上下跳動而不是下降，更新箭頭遠比到好權重的距離長。",
            ),
        ),
        _p(
            "lr_decay",
            {**MOONS, "learning_rate": 3.0, "schedule": "step", "decay": 0.5, "decay_steps": 100},
            ("000", "003"),
            1000,
            ("Learning-rate decay", "学习率衰减", "學習率衰減"),
            (
                "Start with big steps, then halve η every 100 steps. Early on the loss falls fast and noisily; "
                "as η shrinks the steps settle into the valley. The current η is shown beside the step.",
                "先用大步长，之后每 100 步把 η 减半。开始时损失下降快但有噪声；随着 η 变小，步子逐渐落入谷底。"
                "当前的 η 显示在步数旁边。",
                "先用大步長，之後每 100 步把 η 減半。開始時損失下降快但有雜訊；隨著 η 變小，步子逐漸落入谷底。"
                "目前的 η 顯示在步數旁邊。",
            ),
        ),
        _p(
            "sgd",
            {**SPIRAL, "optimizer": "sgd", "learning_rate": 0.3},
            ("000", "003"),
            3000,
            ("Optimizer: plain SGD", "优化器：普通 SGD", "優化器：普通 SGD"),
            (
                "w ← w − η·∂L/∂w on the spiral. The update is exactly −η times the arrow. Compare the loss curve "
                "with momentum, Adagrad and Adam on the same data.",
                "在螺旋数据上做 w ← w − η·∂L/∂w。更新恰好是箭头的 −η 倍。与同样数据上的动量、Adagrad、Adam 比较损失曲线。",
                "在螺旋資料上做 w ← w − η·∂L/∂w。更新恰好是箭頭的 −η 倍。與同樣資料上的動量、Adagrad、Adam 比較損失曲線。",
            ),
        ),
        _p(
            "momentum",
            {**SPIRAL, "optimizer": "momentum", "learning_rate": 0.1, "momentum": 0.9},
            ("000", "003"),
            3000,
            ("Optimizer: momentum", "优化器：动量", "優化器：動量"),
            (
                "v ← μv + g, w ← w − ηv. The applied update is no longer parallel to the arrow: it remembers "
                "past steps, speeds up along consistent directions and damps zig-zags.",
                "v ← μv + g，w ← w − ηv。实际更新不再与箭头平行：它记住过去的步子，沿一致方向加速，抑制来回震荡。",
                "v ← μv + g，w ← w − ηv。實際更新不再與箭頭平行：它記住過去的步子，沿一致方向加速，抑制來回震盪。",
            ),
        ),
        _p(
            "adagrad",
            {**SPIRAL, "optimizer": "adagrad", "learning_rate": 0.3, "eps": 1e-10},
            ("000", "003"),
            3000,
            ("Optimizer: Adagrad", "优化器：Adagrad", "優化器：Adagrad"),
            (
                "Each weight gets its own step size η/√(Σg²): weights with large past gradients slow down. "
                "The sum only grows, so learning gradually freezes.",
                "每个权重有自己的步长 η/√(Σg²)：过去梯度大的权重会放慢。累加和只增不减，所以学习逐渐冻结。",
                "每個權重有自己的步長 η/√(Σg²)：過去梯度大的權重會放慢。累加和只增不減，所以學習逐漸凍結。",
            ),
        ),
        _p(
            "adam",
            {**SPIRAL, "optimizer": "adam", "learning_rate": 0.01},
            ("000", "003"),
            3000,
            ("Optimizer: Adam", "优化器：Adam", "優化器：Adam"),
            (
                "Momentum plus a per-weight scale, both bias-corrected: m̂/(√v̂ + ε). Steps are about η in size "
                "whatever the gradient's scale, which is why Adam is a robust default.",
                "动量加上每个权重的缩放，两者都做偏差修正：m̂/(√v̂ + ε)。无论梯度大小，步长都约为 η，"
                "这就是 Adam 成为稳健默认选择的原因。",
                "動量加上每個權重的縮放，兩者都做偏差修正：m̂/(√v̂ + ε)。無論梯度大小，步長都約為 η，"
                "這就是 Adam 成為穩健預設選擇的原因。",
            ),
        ),
        _p(
            "minibatch",
            {**MOONS, "learning_rate": 0.3, "batch_size": 10},
            ("001", "004"),
            1000,
            ("Mini-batch gradient", "小批量梯度", "小批量梯度"),
            (
                "Each step uses 10 shuffled examples: the arrows change from batch to batch and the loss curve "
                "is noisy, a 'drunk walk down the hill' — but ten steps cost what one full-batch step costs.",
                "每一步只用 10 个打乱后的样本：箭头随批次变化，损失曲线有噪声，像“醉汉下山”——"
                "但十步的代价只相当于一次全批量。",
                "每一步只用 10 個打亂後的樣本：箭頭隨批次變化，損失曲線有雜訊，像「醉漢下山」——"
                "但十步的代價只相當於一次全批量。",
            ),
        ),
        _p(
            "fullbatch",
            {**MOONS, "learning_rate": 0.3, "batch_size": 0},
            ("001", "004"),
            1000,
            ("Full-batch gradient", "全批量梯度", "全批量梯度"),
            (
                "Every step averages the gradient over all training examples: the true downhill direction, a "
                "smooth loss curve, and each step costs a whole pass over the data.",
                "每一步都对所有训练样本的梯度取平均：真正的下坡方向、平滑的损失曲线，每一步都要遍历全部数据。",
                "每一步都對所有訓練樣本的梯度取平均：真正的下坡方向、平滑的損失曲線，每一步都要遍歷全部資料。",
            ),
        ),
        _p(
            "batchnorm",
            {**DEEP, "batch_norm": True, "learning_rate": 0.3},
            ("001", "003"),
            2000,
            ("Batch norm", "批归一化", "批次正規化"),
            (
                "The deep sigmoid network again, with batch norm after each hidden layer: ẑ = (z − μ_B)/√(σ²_B + ε), "
                "then γẑ + β. Inputs to each sigmoid stay centred where σ′ is largest, so the gradient survives "
                "the depth. Click a hidden neuron to see μ, σ², γ, β and their gradients.",
                "再看深层 sigmoid 网络，这次每个隐藏层后加批归一化：ẑ = (z − μ_B)/√(σ²_B + ε)，再乘 γ 加 β。"
                "每个 sigmoid 的输入保持在 σ′ 最大的中心附近，梯度因而能穿过多层。点击隐藏神经元查看 μ、σ²、γ、β 及其梯度。",
                "再看深層 sigmoid 網路，這次每個隱藏層後加批次正規化：ẑ = (z − μ_B)/√(σ²_B + ε)，再乘 γ 加 β。"
                "每個 sigmoid 的輸入保持在 σ′ 最大的中心附近，梯度因而能穿過多層。點擊隱藏神經元查看 μ、σ²、γ、β 及其梯度。",
            ),
        ),
        _p(
            "init_zero",
            # sigmoid, not MOONS' tanh: tanh(0) = 0 would leave every weight at zero for good
            {
                **MOONS,
                "hidden": [4],
                "activation": "sigmoid",
                "init": "uniform",
                "init_scale": 0.0,
                "learning_rate": 0.3,
            },
            ("000",),
            1000,
            ("Initialisation: all zeros", "初始化：全为零", "初始化：全為零"),
            (
                "Every hidden neuron starts identical, so every one gets the identical gradient and they stay "
                "copies of each other forever: four neurons doing the work of one.",
                "所有隐藏神经元起点相同，于是得到相同的梯度，永远彼此复制：四个神经元只做了一个的工作。",
                "所有隱藏神經元起點相同，於是得到相同的梯度，永遠彼此複製：四個神經元只做了一個的工作。",
            ),
        ),
        _p(
            "init_large",
            {**DEEP, "activation": "tanh", "init": "normal", "init_scale": 4.0, "learning_rate": 0.1},
            ("000",),
            2000,
            ("Initialisation: too large", "初始化：过大", "初始化：過大"),
            (
                "Six tanh layers with weights drawn at σ = 4: most neurons start saturated at ±1, where tanh′ ≈ 0, "
                "so many δ's are nearly zero and the network learns slowly and badly. Compare with Xavier "
                "initialisation, which keeps each layer's output variance about the same.",
                "六个 tanh 层，权重以 σ = 4 抽取：大多数神经元一开始就饱和在 ±1，tanh′ ≈ 0，"
                "许多 δ 几乎为零，网络学得又慢又差。与 Xavier 初始化比较，它让每层输出的方差大致不变。",
                "六個 tanh 層，權重以 σ = 4 抽取：大多數神經元一開始就飽和在 ±1，tanh′ ≈ 0，"
                "許多 δ 幾乎為零，網路學得又慢又差。與 Xavier 初始化比較，它讓每層輸出的變異數大致不變。",
            ),
        ),
        _p(
            "init_xavier",
            {**DEEP, "activation": "tanh", "init": "xavier", "learning_rate": 0.1},
            ("000",),
            2000,
            ("Initialisation: Xavier", "初始化：Xavier", "初始化：Xavier"),
            (
                "The same six tanh layers with Xavier (Glorot) initialisation, weights uniform in ±√(6/(n_in + n_out)). "
                "Activations start in tanh's steep middle, every layer gets a useful gradient, and the circle is "
                "learned.",
                "同样的六个 tanh 层，改用 Xavier（Glorot）初始化，权重均匀分布在 ±√(6/(n_in + n_out))。"
                "激活值从 tanh 最陡的中段开始，每层都得到有用的梯度，圆形数据被学会。",
                "同樣的六個 tanh 層，改用 Xavier（Glorot）初始化，權重均勻分佈在 ±√(6/(n_in + n_out))。"
                "激活值從 tanh 最陡的中段開始，每層都得到有用的梯度，圓形資料被學會。",
            ),
        ),
        _p(
            "squared_error",
            {**MOONS, "loss": "sse", "init": "normal", "init_scale": 3.0, "learning_rate": 0.3},
            ("003",),
            1000,
            ("Squared error on a classifier", "分类问题上的平方误差", "分類問題上的平方誤差"),
            (
                "With a sigmoid output, squared error gives δ = 2(ŷ − y)·σ′(z). When the output is confidently "
                "wrong, σ′(z) ≈ 0 and the error signal vanishes exactly where it is needed most.",
                "使用 sigmoid 输出时，平方误差给出 δ = 2(ŷ − y)·σ′(z)。输出自信地出错时 σ′(z) ≈ 0，"
                "误差信号恰恰在最需要的地方消失。",
                "使用 sigmoid 輸出時，平方誤差給出 δ = 2(ŷ − y)·σ′(z)。輸出自信地出錯時 σ′(z) ≈ 0，"
                "誤差訊號恰恰在最需要的地方消失。",
            ),
        ),
        _p(
            "cross_entropy",
            {**MOONS, "loss": "bce", "init": "normal", "init_scale": 3.0, "learning_rate": 0.3},
            ("003",),
            1000,
            ("Cross-entropy on a classifier", "分类问题上的交叉熵", "分類問題上的交叉熵"),
            (
                "Binary cross-entropy with a sigmoid output gives the fused δ = ŷ − y: the σ′ factor cancels, so a "
                "confidently wrong output gets the strongest push. Compare its first hundred steps with squared error.",
                "二元交叉熵配 sigmoid 输出得到融合后的 δ = ŷ − y：σ′ 因子被抵消，"
                "所以自信地出错的输出得到最强的推动。与平方误差比较前一百步。",
                "二元交叉熵配 sigmoid 輸出得到融合後的 δ = ŷ − y：σ′ 因子被抵消，"
                "所以自信地出錯的輸出得到最強的推動。與平方誤差比較前一百步。",
            ),
        ),
    )
}


def resolve(values: Mapping[str, Any]) -> RunConfig:
    """A config from `preset` (optional) plus explicit fields, which win."""
    fields = dict(values)
    name = fields.pop("preset", None)
    if name is None:
        return RunConfig.from_dict(fields)
    if name not in PRESETS:
        raise ConfigError("preset", f"unknown preset {name!r}", ", ".join(PRESETS), code="choice", value=name)
    base = dict(PRESETS[name].config)
    if "dataset" in fields or "data" in fields:  # other data: the preset's own rows no longer apply
        base.pop("data", None)
    if {"dataset", "data", "hidden", "output_activation"} & fields.keys():  # another shape
        base.pop("weights", None)
    return RunConfig.from_dict({**base, **fields})
