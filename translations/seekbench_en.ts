<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>DeviceController</name>
    <message numerus="yes">
        <source>CPU (%1, %n threads)</source>
        <translation>
            <numerusform>CPU (%1, %n thread)</numerusform>
            <numerusform>CPU (%1, %n threads)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n thread</numerusform>
            <numerusform>%n threads</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KnowledgePanel</name>
    <message numerus="yes">
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documents</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s)</source>
        <translation>
            <numerusform>%n passage</numerusform>
            <numerusform>%n passages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>“%1”: %2 added, %3 updated, %4 unchanged, %5 removed; %n passage(s) written</source>
        <translation>
            <numerusform>“%1”: %2 added, %3 updated, %4 unchanged, %5 removed; %n passage written</numerusform>
            <numerusform>“%1”: %2 added, %3 updated, %4 unchanged, %5 removed; %n passages written</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped (below).</source>
        <translation>
            <numerusform>%n file skipped (below).</numerusform>
            <numerusform>%n files skipped (below).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Embedding stopped after %n passage(s); the rest is embedded next time.</source>
        <translation>
            <numerusform>Embedding stopped after %n passage; the rest is embedded next time.</numerusform>
            <numerusform>Embedding stopped after %n passages; the rest is embedded next time.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s) embedded: search now finds passages by meaning too.</source>
        <translation>
            <numerusform>%n passage embedded: search now finds passages by meaning too.</numerusform>
            <numerusform>%n passages embedded: search now finds passages by meaning too.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LintController</name>
    <message numerus="yes">
        <source>%1: %n finding(s)</source>
        <translation>
            <numerusform>%1: %n finding</numerusform>
            <numerusform>%1: %n findings</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message numerus="yes">
        <source>all %n layer(s)</source>
        <translation>
            <numerusform>all %n layer</numerusform>
            <numerusform>all %n layers</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileChart</name>
    <message numerus="yes">
        <source>%1: %n tokens in %2 ms</source>
        <translation>
            <numerusform>%1: %n token in %2 ms</numerusform>
            <numerusform>%1: %n tokens in %2 ms</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RemoteDialog</name>
    <message numerus="yes">
        <source>%n model(s) on this server.</source>
        <translation>
            <numerusform>%n model on this server.</numerusform>
            <numerusform>%n models on this server.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RoutingPanel</name>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>and %n more</numerusform>
            <numerusform>and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TraceBar</name>
    <message numerus="yes">
        <source>%n token(s) · trace %1</source>
        <translation>
            <numerusform>%n token · trace %1</numerusform>
            <numerusform>%n tokens · trace %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WorkbenchController</name>
    <message numerus="yes">
        <source>%1: %2 (%3), %n tensors, %4 MiB</source>
        <translation>
            <numerusform>%1: %2 (%3), %n tensor, %4 MiB</numerusform>
            <numerusform>%1: %2 (%3), %n tensors, %4 MiB</numerusform>
        </translation>
    </message>
</context>
</TS>
