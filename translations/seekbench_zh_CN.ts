<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Seekbench</source>
        <translation>关于 Seekbench</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Devices: %1; GPU: %2</source>
        <translation>设备：%1；GPU：%2</translation>
    </message>
    <message>
        <source>Devices: still probing</source>
        <translation>设备：仍在检测</translation>
    </message>
    <message>
        <source>Chat with local language models and see inside them: which tokens each attention head looks at, which experts the router picks.</source>
        <translation>与本地语言模型对话，并看清模型内部：每个注意力头关注哪些词元，路由器为每个词元选择哪些专家。</translation>
    </message>
    <message>
        <source>Qt %1</source>
        <translation>Qt %1</translation>
    </message>
    <message>
        <source>Built with CUDA: %1</source>
        <translation>CUDA 支持：%1</translation>
    </message>
</context>
<context>
    <name>AppOptions</name>
    <message>
        <source>Seekbench: chat with local language models and see inside them.</source>
        <translation>Seekbench：与本地语言模型对话，并看清模型内部。</translation>
    </message>
    <message>
        <source>Keep all settings and data under &lt;dir&gt; instead of the standard locations.</source>
        <translation>将所有设置和数据保存在 &lt;dir&gt; 中，而不是标准位置。</translation>
    </message>
    <message>
        <source>Open the GGUF model &lt;file&gt; at start.</source>
        <translation>启动时打开 GGUF 模型 &lt;file&gt;。</translation>
    </message>
    <message>
        <source>Use the language &lt;locale&gt;, for example en or zh_CN.</source>
        <translation>使用语言 &lt;locale&gt;，例如 en 或 zh_CN。</translation>
    </message>
    <message>
        <source>Exercise everything the app can do, save one screenshot per panel into &lt;dir&gt;, then exit.</source>
        <translation>运行应用的全部功能，将每个面板的截图保存到 &lt;dir&gt;，然后退出。</translation>
    </message>
    <message>
        <source>Unexpected argument: %1
</source>
        <translation>无法识别的参数：%1
</translation>
    </message>
</context>
<context>
    <name>DeviceController</name>
    <message>
        <source>portable</source>
        <translation>通用</translation>
    </message>
    <message numerus="yes">
        <source>CPU (%1, %n threads)</source>
        <translation>
            <numerusform>CPU（%1，%n 个线程）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Seekbench</source>
        <translation>Seekbench</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>尚未加载模型</translation>
    </message>
    <message>
        <source>Open a GGUF model to start chatting: use File › Open Model…, drop a .gguf file on this window, or start Seekbench with --model FILE.</source>
        <translation>打开一个 GGUF 模型即可开始对话：使用“文件 › 打开模型…”，把 .gguf 文件拖到此窗口，或以 --model 文件 启动 Seekbench。</translation>
    </message>
    <message>
        <source>Open Model…</source>
        <translation>打开模型…</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Knowledge</source>
        <translation>知识库</translation>
    </message>
    <message>
        <source>Documents you add here are searched and quoted in answers, with the passage each answer came from.</source>
        <translation>在此添加的文档会被检索并在回答中引用，并注明每个回答出自哪一段。</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Code generation</source>
        <translation>代码生成</translation>
    </message>
    <message>
        <source>Ask for code and get it here, highlighted and ready to copy. Needs a loaded model.</source>
        <translation>在这里请求代码，结果会高亮显示，可直接复制。需要先加载模型。</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Attention weights</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>Which earlier tokens each attention head looks at, layer by layer. Appears after a reply from a loaded model.</source>
        <translation>逐层显示每个注意力头关注前文的哪些词元。已加载的模型回复后即会显示。</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Expert routing</source>
        <translation>专家路由</translation>
    </message>
    <message>
        <source>Which experts the router picks for each token in Mixture-of-Experts models such as DeepSeek. Appears after a reply from such a model.</source>
        <translation>在 DeepSeek 等混合专家（MoE）模型中，路由器为每个词元选择了哪些专家。此类模型回复后即会显示。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Close Model</source>
        <translation>关闭模型(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Configure Seekbench…</source>
        <translation>配置 Seekbench(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Seekbench</source>
        <translation>关于 Seekbench(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>Probing devices…</source>
        <translation>正在检测设备…</translation>
    </message>
    <message>
        <source>– tokens/s</source>
        <translation>– 词元/秒</translation>
    </message>
    <message>
        <source>Generation speed of the last reply</source>
        <translation>上一次回复的生成速度</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>GPU: %1</source>
        <translation>GPU：%1</translation>
    </message>
    <message>
        <source>%1 · no GPU</source>
        <translation>%1 · 无 GPU</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ModelController</name>
    <message>
        <source>The model file %1 does not exist.</source>
        <translation>模型文件 %1 不存在。</translation>
    </message>
    <message>
        <source>The model file %1 cannot be read.</source>
        <translation>无法读取模型文件 %1。</translation>
    </message>
    <message>
        <source>%1 is not a GGUF model file.</source>
        <translation>%1 不是 GGUF 模型文件。</translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message>
        <source>Open Model…</source>
        <translation>打开模型…</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>最近使用的模型</translation>
    </message>
    <message>
        <source>Double-click a model to open it</source>
        <translation>双击模型即可打开</translation>
    </message>
    <message>
        <source>No model is open.</source>
        <translation>没有打开的模型。</translation>
    </message>
    <message>
        <source>Open: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>已打开：&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Configure Seekbench</source>
        <translation>配置 Seekbench</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Automatic (%1)</source>
        <translation>自动（%1）</translation>
    </message>
    <message>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>仅 CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>A new language takes effect when Seekbench restarts.</source>
        <translation>更改语言后需重启 Seekbench 才会生效。</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>CPU &amp;threads:</source>
        <translation>CPU 线程数(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>数据文件夹：</translation>
    </message>
</context>
</TS>
