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
        <source>A GGUF model to open, as with --model.</source>
        <translation>要打开的 GGUF 模型，与 --model 相同。</translation>
    </message>
    <message>
        <source>Unexpected argument: %1 (one model at a time)
</source>
        <translation>无法识别的参数：%1（一次只能打开一个模型）
</translation>
    </message>
    <message>
        <source>Time &lt;runs&gt; replies streamed in the app (Attention and Routing closed, then open) against seekbench-cli&apos;s chat with the same model, print both, then exit.</source>
        <translation>在应用中计时 &lt;runs&gt; 次流式回复（先关闭、再打开注意力和路由面板），与 seekbench-cli 用同一模型对话的速度对比，打印两者后退出。</translation>
    </message>
    <message>
        <source>--stream-bench needs a number of runs from 1 to 100
</source>
        <translation>--stream-bench 需要 1 到 100 之间的次数
</translation>
    </message>
</context>
<context>
    <name>AttentionPanel</name>
    <message>
        <source>Attention weights</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>Which earlier tokens each attention head looks at, layer by layer. Appears after a reply from a loaded model, or pick a message above.</source>
        <translation>逐层显示每个注意力头关注哪些先前的词元。已加载模型回复后出现，也可在上方选择一条消息。</translation>
    </message>
    <message>
        <source>Layer; layers not in the trace are recomputed when picked</source>
        <translation>层；选择不在追踪中的层时会重新计算</translation>
    </message>
    <message>
        <source>One head, or the mean or maximum over all heads</source>
        <translation>单个注意力头，或所有头的平均值或最大值</translation>
    </message>
    <message>
        <source>Save the current map&apos;s numbers as CSV</source>
        <translation>将当前热图的数值保存为 CSV</translation>
    </message>
    <message>
        <source>layer %1, head %2: %3 bits on average (a uniform spread over all tokens: %4)</source>
        <translation>第 %1 层，第 %2 头：平均 %3 比特（均匀分布于所有词元时为 %4）</translation>
    </message>
    <message>
        <source>mean entropy, bits</source>
        <translation>平均熵（比特）</translation>
    </message>
    <message>
        <source>query token (attends from)</source>
        <translation>查询词元（注意力来源）</translation>
    </message>
    <message>
        <source>key token (attended to)</source>
        <translation>键词元（被关注）</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>热图</translation>
    </message>
    <message>
        <source>All heads</source>
        <translation>所有注意力头</translation>
    </message>
    <message>
        <source>Head view</source>
        <translation>注意力头视图</translation>
    </message>
    <message>
        <source>Entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>头：</translation>
    </message>
    <message>
        <source>%1 of %2 layers kept to bound memory; picking another layer recomputes the trace.</source>
        <translation>为限制内存只保留了 %2 层中的 %1 层；选择其他层会重新计算追踪。</translation>
    </message>
    <message>
        <source>%1 (recompute)</source>
        <translation>%1（重新计算）</translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>max of heads</source>
        <translation>各头最大</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>第 %1 头</translation>
    </message>
    <message>
        <source>query %1 “%2” cannot see the later token %3</source>
        <translation>查询 %1“%2”看不到之后的词元 %3</translation>
    </message>
    <message>
        <source>query %1 “%2” → key %3 “%4”: %5</source>
        <translation>查询 %1“%2”→ 键 %3“%4”：%5</translation>
    </message>
    <message>
        <source>Attention map</source>
        <translation>注意力图</translation>
    </message>
    <message>
        <source>Rows are the tokens attending, columns the tokens attended to; brighter is more attention</source>
        <translation>行是发出注意力的词元，列是被关注的词元；越亮表示注意力越多</translation>
    </message>
    <message>
        <source>Attention of every head</source>
        <translation>每个注意力头的注意力</translation>
    </message>
    <message>
        <source>Attention as lines between tokens</source>
        <translation>以词元之间连线表示的注意力</translation>
    </message>
    <message>
        <source>Attention entropy per layer and head</source>
        <translation>每层每头的注意力熵</translation>
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
    <message>
        <source>Knowledge collections this conversation answers from, with citations</source>
        <translation>此对话据以作答并注明出处的资料集</translation>
    </message>
    <message>
        <source>No collections yet: add documents in the Knowledge panel</source>
        <translation>还没有资料集：请在“知识库”面板中添加文档</translation>
    </message>
    <message>
        <source>Knowledge: off</source>
        <translation>知识库：关闭</translation>
    </message>
    <message>
        <source>Knowledge: %1</source>
        <translation>知识库：%1</translation>
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
    <message>
        <source>Open in Code Panel</source>
        <translation>在代码面板中打开</translation>
    </message>
    <message>
        <source>Edit this code in the Code panel</source>
        <translation>在代码面板中编辑这段代码</translation>
    </message>
</context>
<context>
    <name>CodeController</name>
    <message>
        <source>Wait for the code being written, or stop it.</source>
        <translation>请等待正在编写的代码完成，或先停止它。</translation>
    </message>
    <message>
        <source>Load a model first: File › Open Model…</source>
        <translation>请先加载模型：文件 › 打开模型…</translation>
    </message>
    <message>
        <source>the language it is asked in</source>
        <translation>所要求的语言</translation>
    </message>
    <message>
        <source>Select the code to refactor first.</source>
        <translation>请先选择要重构的代码。</translation>
    </message>
    <message>
        <source>Select some code first.</source>
        <translation>请先选择一些代码。</translation>
    </message>
</context>
<context>
    <name>CodePanel</name>
    <message>
        <source>Write</source>
        <translation>编写</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>解释</translation>
    </message>
    <message>
        <source>Refactor…</source>
        <translation>重构…</translation>
    </message>
    <message>
        <source>Write Tests</source>
        <translation>编写测试</translation>
    </message>
    <message>
        <source>Send to Chat</source>
        <translation>发送到对话</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>The language: highlighting, folding and the checker</source>
        <translation>语言：决定高亮、折叠和检查工具</translation>
    </message>
    <message>
        <source>Describe the code to write, e.g. “a function that parses ISO dates”</source>
        <translation>描述要编写的代码，例如“一个解析 ISO 日期的函数”</translation>
    </message>
    <message>
        <source>Ask in the chat what the selected code does</source>
        <translation>在对话中询问所选代码的作用</translation>
    </message>
    <message>
        <source>Rewrite the selected code; the change is shown as a diff first</source>
        <translation>重写所选代码；修改会先以差异形式显示</translation>
    </message>
    <message>
        <source>Ask in the chat for unit tests of the selected code</source>
        <translation>在对话中请求为所选代码编写单元测试</translation>
    </message>
    <message>
        <source>Put the selected code into the chat&apos;s message box</source>
        <translation>把所选代码放入对话的输入框</translation>
    </message>
    <message>
        <source>Open File</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Save File</source>
        <translation>保存文件</translation>
    </message>
    <message>
        <source>Stopped; what was written is kept (Undo removes it).</source>
        <translation>已停止；已写出的内容会保留（撤销可将其移除）。</translation>
    </message>
    <message>
        <source>The model wrote no code.</source>
        <translation>模型没有写出代码。</translation>
    </message>
    <message>
        <source>Written (Undo removes it in one step).</source>
        <translation>已写出（撤销可一步将其移除）。</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Untitled (%1)</source>
        <translation>未命名（%1）</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is not UTF-8 text; it was not opened.</source>
        <translation>%1 不是 UTF-8 文本，未打开。</translation>
    </message>
    <message>
        <source>Opened %1.</source>
        <translation>已打开 %1。</translation>
    </message>
    <message>
        <source>%1 could not be saved: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <source>Writing…</source>
        <translation>正在编写…</translation>
    </message>
    <message>
        <source>Rewriting; the change will be shown before it is applied…</source>
        <translation>正在重写；应用前会先显示修改…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop writing (what was written is kept)</source>
        <translation>停止编写（已写出的内容会保留）</translation>
    </message>
    <message>
        <source>Write the described code at the cursor, or in place of the selection</source>
        <translation>在光标处编写所描述的代码，或替换所选内容</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
</context>
<context>
    <name>ColorLegend</name>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>load relative to a balanced load</source>
        <translation>相对于均衡负载的负载</translation>
    </message>
</context>
<context>
    <name>ConversationController</name>
    <message>
        <source>Conversations cannot be saved: %1. They will be lost when Seekbench closes; the file was left untouched.</source>
        <translation>无法保存对话：%1。关闭 Seekbench 后对话将丢失；该文件未被改动。</translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <source>The message could not be saved: %1</source>
        <translation>无法保存消息：%1</translation>
    </message>
    <message>
        <source>The reply could not be saved: %1</source>
        <translation>无法保存回复：%1</translation>
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
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1
last active %2</source>
        <translation>%1
最后活动于 %2</translation>
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
    <name>DiffView</name>
    <message>
        <source>Proposed Change</source>
        <translation>建议的修改</translation>
    </message>
    <message>
        <source>Apply change %1 of %2 (line %3)</source>
        <translation>应用第 %1 处修改（共 %2 处，第 %3 行）</translation>
    </message>
    <message>
        <source>The proposal is the same as the code.</source>
        <translation>建议的代码与现有代码相同。</translation>
    </message>
</context>
<context>
    <name>EngineController</name>
    <message>
        <source>the server has no model &quot;%1&quot; (it has: %2)</source>
        <translation>服务器上没有模型“%1”（它有：%2）</translation>
    </message>
    <message>
        <source>remote (OpenAI API)</source>
        <translation>远程（OpenAI API）</translation>
    </message>
    <message>
        <source>Server at %1</source>
        <translation>位于 %1 的服务器</translation>
    </message>
    <message>
        <source>Looking inside a model needs a local model: %1 runs on a server.</source>
        <translation>查看模型内部需要本地模型：%1 运行在服务器上。</translation>
    </message>
    <message>
        <source>Code completion in the editor needs a local model: %1 runs on a server.</source>
        <translation>编辑器中的代码补全需要本地模型：%1 运行在服务器上。</translation>
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
    <message>
        <source>There is no message to look into.</source>
        <translation>没有可查看的消息。</translation>
    </message>
    <message>
        <source>Cancelled for a new reply.</source>
        <translation>为新的回复而取消。</translation>
    </message>
    <message>
        <source>This model cannot complete code: it was not trained to fill in the middle. A code model (DeepSeek-Coder, Qwen2.5-Coder) can.</source>
        <translation>此模型无法补全代码：它未经过中间填充（FIM）训练。代码模型（DeepSeek-Coder、Qwen2.5-Coder）可以。</translation>
    </message>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n 个线程</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EntropyBars</name>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>entropy of the expert load (bits; %1 = perfectly even)</source>
        <translation>专家负载的熵（比特；%1 = 完全均匀）</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>Seekbench User Guide</source>
        <translation>Seekbench 用户指南</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>用户指南</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>后退(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Contents</source>
        <translation>目录(&amp;C)</translation>
    </message>
</context>
<context>
    <name>InsidePanel</name>
    <message>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Save the current view as a picture</source>
        <translation>将当前视图保存为图片</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Export PNG</source>
        <translation>导出 PNG</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>PNG pictures (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
</context>
<context>
    <name>KnowledgePanel</name>
    <message>
        <source>The collection files are added to and searched in; type a new name to start one</source>
        <translation>文件加入其中并在其中搜索的资料集；输入新名称即可新建</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove this collection from the store (the files stay on disk)</source>
        <translation>从资料库中移除此资料集（磁盘上的文件保留）</translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Add Files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Files that were skipped, and why</source>
        <translation>被跳过的文件及原因</translation>
    </message>
    <message>
        <source>Search the collection</source>
        <translation>在资料集中搜索</translation>
    </message>
    <message>
        <source>Double-click a passage to open it in its file</source>
        <translation>双击段落即可在原文件中打开</translation>
    </message>
    <message>
        <source>Collection</source>
        <translation>资料集</translation>
    </message>
    <message>
        <source>Remove Collection</source>
        <translation>移除资料集</translation>
    </message>
    <message>
        <source>Remove “%1” and everything read from its files? The files themselves stay.</source>
        <translation>移除“%1”及从其文件读取的全部内容？文件本身会保留。</translation>
    </message>
    <message>
        <source>Looking for files to add to “%1”…</source>
        <translation>正在查找要添加到“%1”的文件…</translation>
    </message>
    <message>
        <source>%1
score %2</source>
        <translation>%1
得分 %2</translation>
    </message>
    <message>
        <source>Nothing found</source>
        <translation>未找到结果</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message numerus="yes">
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n 个文档</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s)</source>
        <translation>
            <numerusform>%n 个段落</numerusform>
        </translation>
    </message>
    <message>
        <source>Add a folder or files (text, Markdown, code, HTML, PDF) to search them here.</source>
        <translation>添加文件夹或文件（文本、Markdown、代码、HTML、PDF），即可在此搜索。</translation>
    </message>
    <message>
        <source>A new collection: add a folder or files to it.</source>
        <translation>新资料集：请向其中添加文件夹或文件。</translation>
    </message>
    <message>
        <source>Add a Folder to “%1”</source>
        <translation>将文件夹添加到“%1”</translation>
    </message>
    <message>
        <source>Add Files to “%1”</source>
        <translation>将文件添加到“%1”</translation>
    </message>
    <message>
        <source>Documents (*.txt *.md *.markdown *.rst *.html *.htm *.pdf *.py *.cpp *.h *.c *.js *.ts *.rs *.go *.java *.sh);;All files (*)</source>
        <translation>文档 (*.txt *.md *.markdown *.rst *.html *.htm *.pdf *.py *.cpp *.h *.c *.js *.ts *.rs *.go *.java *.sh);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%1 of %2 files · %3 files/s · %4</source>
        <translation>%1 / %2 个文件 · 每秒 %3 个 · %4</translation>
    </message>
    <message numerus="yes">
        <source>“%1”: %2 added, %3 updated, %4 unchanged, %5 removed; %n passage(s) written</source>
        <translation>
            <numerusform>“%1”：新增 %2，更新 %3，未变 %4，移除 %5；写入 %n 个段落</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped (below).</source>
        <translation>
            <numerusform>跳过 %n 个文件（见下）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelled: adding the same files again continues where it stopped.</source>
        <translation>已取消：再次添加相同文件会从中断处继续。</translation>
    </message>
    <message>
        <source>Stopped: %1. What was added before is kept.</source>
        <translation>已停止：%1。之前添加的内容会保留。</translation>
    </message>
    <message>
        <source>Embedding Model…</source>
        <translation>嵌入模型…</translation>
    </message>
    <message>
        <source>Open a bert or nomic-bert GGUF (e.g. nomic-embed-text, bge-small) to search by meaning as well as by words</source>
        <translation>打开 bert 或 nomic-bert 的 GGUF 文件（例如 nomic-embed-text、bge-small），除了按字词外也按语义搜索</translation>
    </message>
    <message>
        <source>Words Only</source>
        <translation>仅按字词</translation>
    </message>
    <message>
        <source>Close the embedding model: search by words alone (BM25)</source>
        <translation>关闭嵌入模型：只按字词搜索（BM25）</translation>
    </message>
    <message>
        <source>Open an Embedding Model</source>
        <translation>打开嵌入模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message numerus="yes">
        <source>Embedding stopped after %n passage(s); the rest is embedded next time.</source>
        <translation>
            <numerusform>嵌入在 %n 个段落后停止；其余的下次继续嵌入。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s) embedded: search now finds passages by meaning too.</source>
        <translation>
            <numerusform>已嵌入 %n 个段落：现在搜索也能按语义找到段落。</numerusform>
        </translation>
    </message>
    <message>
        <source>by words: %1 · by meaning: %2</source>
        <translation>按字词：%1 · 按语义：%2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>The embedding model could not be opened: %1</source>
        <translation>无法打开嵌入模型：%1</translation>
    </message>
    <message>
        <source>Search by words (BM25). Open an embedding model to search by meaning too.</source>
        <translation>按字词搜索（BM25）。打开嵌入模型后也可按语义搜索。</translation>
    </message>
    <message>
        <source>Search by words and meaning: %1, %2 dimensions</source>
        <translation>按字词和语义搜索：%1，%2 维</translation>
    </message>
    <message>
        <source>Search by words and meaning: %1</source>
        <translation>按字词和语义搜索：%1</translation>
    </message>
    <message>
        <source>Embedding passages with %1: %2 of %3 · %4/s</source>
        <translation>正在用 %1 嵌入段落：%2 / %3 · 每秒 %4 个</translation>
    </message>
</context>
<context>
    <name>LintController</name>
    <message>
        <source>No %1 checker is installed: install %2.</source>
        <translation>未安装 %1 的检查工具：请安装 %2。</translation>
    </message>
    <message>
        <source>The code could not be written for %1 to check.</source>
        <translation>无法写出代码供 %1 检查。</translation>
    </message>
    <message>
        <source>%1: no findings</source>
        <translation>%1：未发现问题</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n finding(s)</source>
        <translation>
            <numerusform>%1：%n 个问题</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 could not be started.</source>
        <translation>无法启动 %1。</translation>
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
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
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
    <message>
        <source>Runs on %1</source>
        <translation>运行于 %1</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Connect to &amp;Remote Model…</source>
        <translation>连接远程模型(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>对话(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Find in Conversations</source>
        <translation>在对话中查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Stop Generating</source>
        <translation>停止生成(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Full Screen</source>
        <translation>全屏(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Welcome</source>
        <translation>欢迎(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Send the message (in the chat&apos;s input)</source>
        <translation>发送消息（在对话输入框中）</translation>
    </message>
    <message>
        <source>Enter or Ctrl+Enter</source>
        <translation>Enter 或 Ctrl+Enter</translation>
    </message>
    <message>
        <source>A new line in the message</source>
        <translation>在消息中换行</translation>
    </message>
    <message>
        <source>Shift+Enter</source>
        <translation>Shift+Enter</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Workbench…</source>
        <translation>工作台(&amp;W)…</translation>
    </message>
    <message>
        <source>Move between cells of a map or thumbnails (Attention, Routing)</source>
        <translation>在图或缩略图的格子间移动（注意力、路由）</translation>
    </message>
    <message>
        <source>Arrows, Page Up/Down, Home/End (Ctrl: to the edge)</source>
        <translation>方向键、Page Up/Down、Home/End（加 Ctrl：到边缘）</translation>
    </message>
    <message>
        <source>Open the current cell or thumbnail</source>
        <translation>打开当前格子或缩略图</translation>
    </message>
    <message>
        <source>Enter or Space</source>
        <translation>Enter 或空格</translation>
    </message>
    <message>
        <source>Zoom a map in, out, to fit</source>
        <translation>放大、缩小、适应窗口</translation>
    </message>
    <message>
        <source>+, −, 0</source>
        <translation>+、−、0</translation>
    </message>
    <message>
        <source>Move to the next panel or control</source>
        <translation>移到下一个面板或控件</translation>
    </message>
    <message>
        <source>Tab, Shift+Tab</source>
        <translation>Tab、Shift+Tab</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>用户指南(&amp;U)</translation>
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
    <message>
        <source>%1% of the answer&apos;s attention</source>
        <translation>占答案注意力的 %1%</translation>
    </message>
    <message>
        <source>Sources:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <source>“%1”: [%2] %3%</source>
        <translation>“%1”：[%2] %3%</translation>
    </message>
    <message>
        <source>Attention of each sentence of the answer, on the source it attended to most:</source>
        <translation>答案每一句的注意力，及其最关注的来源：</translation>
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
        <source>Could not load %1: %2</source>
        <translation>无法加载 %1：%2</translation>
    </message>
    <message>
        <source>%1 runs on %2: %3</source>
        <translation>%1 运行于 %2：%3</translation>
    </message>
    <message>
        <source>Could not load %1: %2

Seekbench went back to %3.</source>
        <translation>无法加载 %1：%2

Seekbench 已回到 %3。</translation>
    </message>
    <message>
        <source>%1 is not a GGUF model file (bad magic number: it does not start with GGUF).</source>
        <translation>%1 不是 GGUF 模型文件（魔数不对：文件开头不是 GGUF）。</translation>
    </message>
    <message>
        <source>Could not use the remote model: %1</source>
        <translation>无法使用远程模型：%1</translation>
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
    <message>
        <source>Not on the GPU</source>
        <translation>未在 GPU 上运行</translation>
    </message>
    <message>
        <source>This is Seekbench&apos;s built-in demo model, %1 parameters trained here on a small corpus: it shows how everything works, but its answers are practice text. Open a real GGUF model (Model › Open…) for real answers.</source>
        <translation>这是 Seekbench 内置的演示模型，%1 个参数，在这里用一个小语料训练而成：它能演示各项功能，但它的回答只是练习文本。要得到真正的回答，请打开一个真正的 GGUF 模型（模型 › 打开…）。</translation>
    </message>
    <message>
        <source> (%1 active: %2 of %3 experts)</source>
        <translation>（激活 %1：%3 个专家中的 %2 个）</translation>
    </message>
    <message>
        <source>Remote: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>远程：&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
    <message>
        <source>Replies come from the server. The Attention and Routing panels and code completion in the editor need a local model.</source>
        <translation>回复来自服务器。注意力和路由面板以及编辑器中的代码补全需要本地模型。</translation>
    </message>
    <message numerus="yes">
        <source>all %n layer(s)</source>
        <translation>
            <numerusform>全部 %n 层</numerusform>
        </translation>
    </message>
    <message>
        <source>the last %1 of %2 layers; the first %3 on the CPU</source>
        <translation>%2 层中的后 %1 层；前 %3 层在 CPU 上</translation>
    </message>
    <message>
        <source>; routed experts on the CPU</source>
        <translation>；路由专家在 CPU 上</translation>
    </message>
    <message>
        <source>On the GPU</source>
        <translation>在 GPU 上</translation>
    </message>
    <message>
        <source>%1 (%2 of weights)</source>
        <translation>%1（权重 %2）</translation>
    </message>
</context>
<context>
    <name>Passage</name>
    <message>
        <source>%1, page %2</source>
        <translation>%1，第 %2 页</translation>
    </message>
</context>
<context>
    <name>ProfileChart</name>
    <message>
        <source>Profile chart</source>
        <translation>性能剖析图</translation>
    </message>
    <message>
        <source>Prefill %1 ms, decode %2 ms</source>
        <translation>预填充 %1 毫秒，解码 %2 毫秒</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n tokens in %2 ms</source>
        <translation>
            <numerusform>%1：%n 个词元，用时 %2 毫秒</numerusform>
        </translation>
    </message>
    <message>
        <source>%1  %2 ms (%3%)  %4 GB/s (%5% of memory bandwidth)</source>
        <translation>%1  %2 毫秒（%3%）  %4 GB/s（内存带宽的 %5%）</translation>
    </message>
    <message>
        <source>Time per layer, first to last (grey: embedding and output)</source>
        <translation>每层用时，从第一层到最后一层（灰色：嵌入与输出）</translation>
    </message>
    <message>
        <source>Run a profile to see where the time goes.</source>
        <translation>运行一次性能剖析，看看时间花在哪里。</translation>
    </message>
    <message>
        <source>Prefill</source>
        <translation>预填充</translation>
    </message>
    <message>
        <source>Decode</source>
        <translation>解码</translation>
    </message>
    <message>
        <source>  %1 GFLOP/s (%2% of multiply-add peak)</source>
        <translation>  %1 GFLOP/s（乘加峰值的 %2%）</translation>
    </message>
</context>
<context>
    <name>RemoteClient</name>
    <message>
        <source>the server answered %1: %2</source>
        <translation>服务器返回 %1：%2</translation>
    </message>
    <message>
        <source>the server lists no models (is this an OpenAI-compatible endpoint?)</source>
        <translation>服务器没有列出任何模型（这是兼容 OpenAI 的端点吗？）</translation>
    </message>
</context>
<context>
    <name>RemoteDialog</name>
    <message>
        <source>Connect to Remote Model</source>
        <translation>连接远程模型</translation>
    </message>
    <message>
        <source>The server&apos;s OpenAI API base URL, ending in /v1</source>
        <translation>服务器的 OpenAI API 基础 URL，以 /v1 结尾</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Sent as a Bearer token; used for this connection only and never saved.</source>
        <translation>以 Bearer 令牌发送；仅用于本次连接，不会保存。</translation>
    </message>
    <message>
        <source>List Models</source>
        <translation>列出模型</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>服务器 URL(&amp;U)：</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API 密钥(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Asking %1 for its models…</source>
        <translation>正在向 %1 询问其模型…</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on this server.</source>
        <translation>
            <numerusform>此服务器上有 %n 个模型。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not list the models: %1</source>
        <translation>无法列出模型：%1</translation>
    </message>
    <message>
        <source>Give the server&apos;s URL and a model (List Models asks the server).</source>
        <translation>请填写服务器 URL 和模型（“列出模型”会询问服务器）。</translation>
    </message>
    <message>
        <source>Chat, knowledge and the Code panel&apos;s chat actions work through the server; looking inside the model and completion in the editor need a local one.</source>
        <translation>对话、知识库以及代码面板中经由对话的操作都可通过服务器完成；查看模型内部和编辑器中的补全需要本地模型。</translation>
    </message>
</context>
<context>
    <name>RoutingData</name>
    <message>
        <source>expert %1: weight %2</source>
        <translation>专家 %1：权重 %2</translation>
    </message>
    <message>
        <source>token %1 “%2”, layer %3</source>
        <translation>词元 %1“%2”，第 %3 层</translation>
    </message>
    <message>
        <source>shared expert gate: %1</source>
        <translation>共享专家门控：%1</translation>
    </message>
</context>
<context>
    <name>RoutingPanel</name>
    <message>
        <source>this message</source>
        <translation>本条消息</translation>
    </message>
    <message>
        <source>whole conversation</source>
        <translation>整个对话</translation>
    </message>
    <message>
        <source>Count the picked message&apos;s tokens, or every token of the conversation up to it</source>
        <translation>统计所选消息的词元，或对话中截至该消息的全部词元</translation>
    </message>
    <message>
        <source>The layer whose experts tint the text</source>
        <translation>用哪一层的专家为文本着色</translation>
    </message>
    <message>
        <source>layer %1, expert %2: %3× a balanced load</source>
        <translation>第 %1 层，专家 %2：均衡负载的 %3 倍</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>MoE layer</source>
        <translation>MoE 层</translation>
    </message>
    <message>
        <source>expert</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Tokens × layers</source>
        <translation>词元 × 层</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Expert load</source>
        <translation>专家负载</translation>
    </message>
    <message>
        <source>Entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <source>Count:</source>
        <translation>统计：</translation>
    </message>
    <message>
        <source>Tint by layer:</source>
        <translation>按层着色：</translation>
    </message>
    <message>
        <source>Expert routing</source>
        <translation>专家路由</translation>
    </message>
    <message>
        <source>Which experts the router picks for each token, layer by layer, for Mixture-of-Experts models. Appears after a reply, or pick a message above.</source>
        <translation>混合专家模型中，路由器逐层为每个词元选择哪些专家。回复后出现，也可在上方选择一条消息。</translation>
    </message>
    <message>
        <source>This model has no experts</source>
        <translation>此模型没有专家</translation>
    </message>
    <message>
        <source>%1 is a dense model: every token goes through the same feed-forward network, so there is no routing to show. Open a Mixture-of-Experts model (DeepSeek, Qwen-MoE, Mixtral) to see it.</source>
        <translation>%1 是稠密模型：每个词元都经过同一个前馈网络，因此没有路由可显示。请打开混合专家模型（DeepSeek、Qwen-MoE、Mixtral）查看。</translation>
    </message>
    <message>
        <source>%1 experts, %2 chosen per token. Colours: each token&apos;s top expert (hover for all chosen experts and their weights).</source>
        <translation>共 %1 个专家，每个词元选 %2 个。颜色：每个词元得分最高的专家（悬停可查看所有选中的专家及其权重）。</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>expert %1</source>
        <translation>专家 %1</translation>
    </message>
    <message>
        <source>Save the expert load table as CSV</source>
        <translation>将专家负载表保存为 CSV</translation>
    </message>
    <message>
        <source>Colour: each token&apos;s top expert.</source>
        <translation>颜色：每个词元得分最高的专家。</translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>另有 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Expert routing grid</source>
        <translation>专家路由网格</translation>
    </message>
    <message>
        <source>Rows are tokens, columns are MoE layers; each cell&apos;s colour is the expert picked first</source>
        <translation>行是词元，列是 MoE 层；每格的颜色是首选的专家</translation>
    </message>
    <message>
        <source>Expert load per layer</source>
        <translation>每层的专家负载</translation>
    </message>
    <message>
        <source>Routing entropy per token</source>
        <translation>每个词元的路由熵</translation>
    </message>
    <message>
        <source>The text tinted by expert</source>
        <translation>按专家着色的文本</translation>
    </message>
</context>
<context>
    <name>ServerController</name>
    <message>
        <source>The server program could not be started (%1): %2</source>
        <translation>无法启动服务器程序（%1）：%2</translation>
    </message>
    <message>
        <source>The server program is missing: %1</source>
        <translation>找不到服务器程序：%1</translation>
    </message>
    <message>
        <source>The server did not start: %1</source>
        <translation>服务器未能启动：%1</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>退出码 %1</translation>
    </message>
    <message>
        <source>The server stopped unexpectedly (it crashed).</source>
        <translation>服务器意外停止（已崩溃）。</translation>
    </message>
    <message>
        <source>The server stopped unexpectedly: %1</source>
        <translation>服务器意外停止：%1</translation>
    </message>
</context>
<context>
    <name>ServerLogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
</context>
<context>
    <name>ServerPanel</name>
    <message>
        <source>127.0.0.1 serves this computer only; 0.0.0.0 serves your network too (set an API key).</source>
        <translation>127.0.0.1 只服务本机；0.0.0.0 也服务你的网络（请设置 API 密钥）。</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>端口(&amp;P)：</translation>
    </message>
    <message>
        <source>How many requests are answered at once; more wait in a queue.</source>
        <translation>同时应答的请求数；更多请求会排队等待。</translation>
    </message>
    <message>
        <source>&amp;Slots:</source>
        <translation>槽位(&amp;S)：</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Clients must send it as a Bearer token. It is not saved.</source>
        <translation>客户端须以 Bearer 令牌发送。不会被保存。</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API 密钥(&amp;K)：</translation>
    </message>
    <message>
        <source>Start Server</source>
        <translation>启动服务器</translation>
    </message>
    <message>
        <source>Copy Address</source>
        <translation>复制地址</translation>
    </message>
    <message>
        <source>Requests:</source>
        <translation>请求：</translation>
    </message>
    <message>
        <source>Stop Server</source>
        <translation>停止服务器</translation>
    </message>
    <message>
        <source>the built-in model</source>
        <translation>内置模型</translation>
    </message>
    <message>
        <source>Not running. Start it to serve %1 to other programs (editors, scripts, the openai clients) over the OpenAI API.</source>
        <translation>未运行。启动后，即可通过 OpenAI API 把 %1 提供给其他程序（编辑器、脚本、openai 客户端）。</translation>
    </message>
    <message>
        <source>Starting: loading %1…</source>
        <translation>正在启动：加载 %1…</translation>
    </message>
    <message>
        <source>Serving %1 at %2 (OpenAI API; base URL %2/v1).</source>
        <translation>正在 %2 提供 %1（OpenAI API；基础 URL 为 %2/v1）。</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
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
    <message>
        <source>High contrast</source>
        <translation>高对比度</translation>
    </message>
</context>
<context>
    <name>SourceView</name>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Cannot show %1: %2</source>
        <translation>无法显示 %1：%2</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>来源：%1</translation>
    </message>
</context>
<context>
    <name>ThumbnailGrid</name>
    <message>
        <source>head %1</source>
        <translation>第 %1 头</translation>
    </message>
    <message>
        <source>L%1</source>
        <translation>第%1层</translation>
    </message>
    <message>
        <source>layer %1, head %2: entropy %3 bits (click to open)</source>
        <translation>第 %1 层，第 %2 头：熵 %3 比特（点击打开）</translation>
    </message>
</context>
<context>
    <name>TraceBar</name>
    <message>
        <source>The message to look inside; the conversation up to it is run through the model</source>
        <translation>要查看内部的消息；对话截至该消息的内容会再经过模型运行一次</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>消息：</translation>
    </message>
    <message>
        <source>Running the conversation through the model…</source>
        <translation>正在让模型运行这段对话…</translation>
    </message>
    <message>
        <source>Could not look inside: %1</source>
        <translation>无法查看模型内部：%1</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) · trace %1</source>
        <translation>
            <numerusform>%n 个词元 · 追踪 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Pick a message</source>
        <translation>选择一条消息</translation>
    </message>
</context>
<context>
    <name>TurnController</name>
    <message>
        <source>Wait for the current reply, or stop it, before sending.</source>
        <translation>请等待当前回复完成或先停止，再发送。</translation>
    </message>
    <message>
        <source>Load a model first: File › Open Model…</source>
        <translation>请先加载模型：文件 › 打开模型…</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to Seekbench</source>
        <translation>欢迎使用 Seekbench</translation>
    </message>
    <message>
        <source>Seekbench runs language models on this computer: what you type stays here. Beside the chat it shows the model at work: which words each attention head looks at, and which experts the router picks for each token.</source>
        <translation>Seekbench 在这台电脑上运行语言模型：你输入的内容不会离开这里。除了对话，它还展示模型的工作过程：每个注意力头关注哪些词，路由器为每个词元选择哪些专家。</translation>
    </message>
    <message>
        <source>Until you open a model of your own, Seekbench uses its own: a 7 M-parameter demonstration model trained for this project. It shows how every panel works, but it cannot give real answers.</source>
        <translation>在你打开自己的模型之前，Seekbench 使用自带的模型：一个为本项目训练的 700 万参数演示模型。它能展示每个面板的用法，但无法给出真正的回答。</translation>
    </message>
    <message>
        <source>For real answers, open a GGUF model: &lt;b&gt;File › Open Model…&lt;/b&gt;, drag the file onto this window, or double-click it in your file manager. GGUF files are published on &lt;a href=&quot;https://huggingface.co/models?library=gguf&quot;&gt;Hugging Face&lt;/a&gt;; a 1.5–8 B model in Q4_K_M runs well on most computers. Seekbench never downloads anything by itself.</source>
        <translation>要获得真正的回答，请打开一个 GGUF 模型：&lt;b&gt;文件 › 打开模型…&lt;/b&gt;，把文件拖到本窗口，或在文件管理器中双击它。GGUF 文件发布在 &lt;a href=&quot;https://huggingface.co/models?library=gguf&quot;&gt;Hugging Face&lt;/a&gt; 上；Q4_K_M 格式的 1.5–8 B 模型在大多数电脑上都能流畅运行。Seekbench 从不自行下载任何内容。</translation>
    </message>
    <message>
        <source>Your conversations, knowledge store and settings are kept in %1.</source>
        <translation>你的对话、知识库和设置保存在 %1。</translation>
    </message>
    <message>
        <source>Help › Welcome shows this again; Help › Keyboard Shortcuts lists the shortcuts.</source>
        <translation>“帮助 › 欢迎”可再次显示本页；“帮助 › 键盘快捷键”列出所有快捷键。</translation>
    </message>
    <message>
        <source>&amp;Open a Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Start Chatting</source>
        <translation>开始对话(&amp;S)</translation>
    </message>
</context>
<context>
    <name>WorkbenchController</name>
    <message>
        <source>%1: %2 MiB → %3 MiB in %4 s</source>
        <translation>%1：%2 MiB → %3 MiB，用时 %4 秒</translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 (%3), %n tensors, %4 MiB</source>
        <translation>
            <numerusform>%1：%2（%3），%n 个张量，%4 MiB</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WorkbenchDialog</name>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Save Model</source>
        <translation>保存模型</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Workbench</source>
        <translation>工作台</translation>
    </message>
    <message>
        <source>A/B Comparison</source>
        <translation>A/B 对比</translation>
    </message>
    <message>
        <source>Quantize</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Convert</source>
        <translation>转换</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>性能剖析</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；没有写入任何文件。</translation>
    </message>
    <message>
        <source>The reference, e.g. model-Q8_0.gguf</source>
        <translation>参照文件，例如 model-Q8_0.gguf</translation>
    </message>
    <message>
        <source>The file to compare, e.g. model-Q4_K_M.gguf</source>
        <translation>要对比的文件，例如 model-Q4_K_M.gguf</translation>
    </message>
    <message>
        <source>Once upon a time</source>
        <translation>从前</translation>
    </message>
    <message>
        <source>File &amp;A:</source>
        <translation>文件 A(&amp;A)：</translation>
    </message>
    <message>
        <source>File &amp;B:</source>
        <translation>文件 B(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>提示词(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Tokens:</source>
        <translation>词元数(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation>对比(&amp;C)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Tint: KL divergence of the next-token distributions</source>
        <translation>底色：两个下一词元分布之间的 KL 散度</translation>
    </message>
    <message>
        <source>nats; &lt;b&gt;&lt;u&gt;bold&lt;/u&gt;&lt;/b&gt;: the first token that differs</source>
        <translation>奈特；&lt;b&gt;&lt;u&gt;粗体&lt;/u&gt;&lt;/b&gt;：第一个不同的词元</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>Text of file A</source>
        <translation>文件 A 的文本</translation>
    </message>
    <message>
        <source>Text of file B</source>
        <translation>文件 B 的文本</translation>
    </message>
    <message>
        <source>Generating with both files…</source>
        <translation>正在用两个文件分别生成…</translation>
    </message>
    <message>
        <source>An F32, F16 or BF16 GGUF</source>
        <translation>F32、F16 或 BF16 格式的 GGUF</translation>
    </message>
    <message>
        <source>&amp;Input:</source>
        <translation>输入(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation>输出(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>类型(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Quantize</source>
        <translation>量化(&amp;Q)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>A Hugging Face folder, or a llama2.c model.bin</source>
        <translation>Hugging Face 模型文件夹，或 llama2.c 的 model.bin</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Hugging Face Checkpoint Folder</source>
        <translation>Hugging Face 检查点文件夹</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>llama2.c Checkpoint</source>
        <translation>llama2.c 检查点</translation>
    </message>
    <message>
        <source>llama2.c only: its tokenizer.bin</source>
        <translation>仅 llama2.c：其 tokenizer.bin</translation>
    </message>
    <message>
        <source>As the checkpoint (auto)</source>
        <translation>与检查点相同（自动）</translation>
    </message>
    <message>
        <source>&amp;Source:</source>
        <translation>来源(&amp;S)：</translation>
    </message>
    <message>
        <source>To&amp;kenizer:</source>
        <translation>分词器(&amp;K)：</translation>
    </message>
    <message>
        <source>C&amp;onvert</source>
        <translation>转换(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Prompt tokens:</source>
        <translation>提示词元数(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Generated tokens:</source>
        <translation>生成词元数(&amp;G)：</translation>
    </message>
    <message>
        <source>&amp;Run Profile</source>
        <translation>运行剖析(&amp;R)</translation>
    </message>
    <message>
        <source>Profiling on the CPU…</source>
        <translation>正在 CPU 上剖析…</translation>
    </message>
    <message>
        <source>A: %1, %2 tokens/s</source>
        <translation>A：%1，每秒 %2 个词元</translation>
    </message>
    <message>
        <source>B: %1, %2 tokens/s</source>
        <translation>B：%1，每秒 %2 个词元</translation>
    </message>
    <message>
        <source>Mean KL divergence %1 nats; the most likely token agrees at %2% of the positions; %3</source>
        <translation>平均 KL 散度 %1 奈特；最可能的词元在 %2% 的位置上一致；%3</translation>
    </message>
    <message>
        <source>the two texts are the same</source>
        <translation>两段文本相同</translation>
    </message>
    <message>
        <source>the texts part at token %1</source>
        <translation>两段文本从第 %1 个词元起分开</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — KL %2 nats</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — KL %2 奈特</translation>
    </message>
    <message>
        <source>Optional: an importance matrix (seekbench-cli imatrix or llama-imatrix)</source>
        <translation>可选：重要性矩阵（由 seekbench-cli imatrix 或 llama-imatrix 生成）</translation>
    </message>
    <message>
        <source>I&amp;mportance matrix:</source>
        <translation>重要性矩阵(&amp;M)：</translation>
    </message>
    <message>
        <source>%1 on %2; memory read bandwidth %3 GB/s, float multiply-add peak %4 GFLOP/s</source>
        <translation>%1，运行于 %2；内存读取带宽 %3 GB/s，浮点乘加峰值 %4 GFLOP/s</translation>
    </message>
</context>
<context>
    <name>parameterCount</name>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 M</translation>
    </message>
</context>
</TS>
