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
    <name>ChatController</name>
    <message>
        <source>The reply could not be saved: %1</source>
        <translation>无法保存回复：%1</translation>
    </message>
    <message>
        <source>Conversations cannot be saved: %1. They will be lost when Seekbench closes; the file was left untouched.</source>
        <translation>无法保存对话：%1。关闭 Seekbench 后对话将丢失；该文件未被改动。</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <source>Wait for the current reply, or stop it, before sending.</source>
        <translation>请等待当前回复完成或先停止，再发送。</translation>
    </message>
    <message>
        <source>Load a model first: File › Open Model…</source>
        <translation>请先加载模型：文件 › 打开模型…</translation>
    </message>
    <message>
        <source>The message could not be saved: %1</source>
        <translation>无法保存消息：%1</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>No model loaded</source>
        <translation>尚未加载模型</translation>
    </message>
    <message>
        <source>Open a GGUF model to start chatting: use File › Open Model…, drop a .gguf file on this window, or start Seekbench with --model FILE.</source>
        <translation>打开一个 GGUF 模型即可开始对话：使用“文件 › 打开模型…”，把 .gguf 文件拖到此窗口，或以 --model 文件 启动 Seekbench。</translation>
    </message>
    <message>
        <source>Conversation Settings…</source>
        <translation>对话设置…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Open Model…</source>
        <translation>打开模型…</translation>
    </message>
    <message>
        <source>Ask anything. Enter sends, Shift+Enter starts a new line.</source>
        <translation>尽管提问。按 Enter 发送，Shift+Enter 换行。</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply (what was written is kept)</source>
        <translation>停止回复（已生成的内容会保留）</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>发送消息</translation>
    </message>
</context>
<context>
    <name>ChatSettingsDialog</name>
    <message>
        <source>Conversation Settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>Instructions the model sees before the conversation, e.g. &quot;Answer briefly.&quot;</source>
        <translation>模型在对话开始前看到的指示，例如“请简短回答。”</translation>
    </message>
    <message>
        <source>0 (always the likeliest word)</source>
        <translation>0（总是选最可能的词）</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>系统提示：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k：</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <source>Min-p:</source>
        <translation>Min-p：</translation>
    </message>
    <message>
        <source>Repetition penalty:</source>
        <translation>重复惩罚：</translation>
    </message>
    <message>
        <source>Longest reply (tokens):</source>
        <translation>最长回复（词元）：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the code to the clipboard</source>
        <translation>把代码复制到剪贴板</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Search all conversations</source>
        <translation>搜索全部对话</translation>
    </message>
    <message>
        <source>New Conversation</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <source>Deleted “%1”.</source>
        <translation>已删除“%1”。</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Pin to Top</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Export Conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <source>Markdown (*.md);;JSON, every branch (*.json)</source>
        <translation>Markdown (*.md);;JSON，包含所有分支 (*.json)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Import Conversation</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <source>Conversations (*.json *.md)</source>
        <translation>对话 (*.json *.md)</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
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
    <name>EngineWorker</name>
    <message>
        <source>No model is loaded.</source>
        <translation>没有加载模型。</translation>
    </message>
    <message>
        <source>The conversation is longer than the model&apos;s context of %1 tokens. Start a new conversation or shorten it.</source>
        <translation>对话长度超出了模型 %1 个词元的上下文。请新建对话或缩短它。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Seekbench</source>
        <translation>Seekbench</translation>
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
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>&amp;New Conversation</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Import Conversation…</source>
        <translation>导入对话(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Export Conversation…</source>
        <translation>导出对话(&amp;E)…</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <source>Copy the message to the clipboard</source>
        <translation>把消息复制到剪贴板</translation>
    </message>
    <message>
        <source>Write a new answer; this one is kept as another version</source>
        <translation>重新写一个回答；当前回答作为另一个版本保留</translation>
    </message>
    <message>
        <source>Change this message and send it again; the old version is kept</source>
        <translation>修改这条消息并重新发送；旧版本会保留</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <source>%1 tokens · %2 tokens/s · prompt %3 tokens</source>
        <translation>%1 个词元 · %2 词元/秒 · 提示 %3 个词元</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>length limit</source>
        <translation>达到长度上限</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
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
    <message>
        <source>Could not load %1: %2</source>
        <translation>无法加载 %1：%2</translation>
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
    <message>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>%1 billion</source>
        <translation>%1 十亿</translation>
    </message>
    <message>
        <source> (%1 billion active: %2 of %3 experts)</source>
        <translation>（每个词元激活 %1 十亿：%3 个专家中的 %2 个）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 个词元</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>%1 (assumed: %2)</source>
        <translation>%1（推定：%2）</translation>
    </message>
    <message>
        <source>Runs on</source>
        <translation>运行设备</translation>
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
