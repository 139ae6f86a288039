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
    <name>TraceBar</name>
    <message numerus="yes">
        <source>%n token(s) · trace %1</source>
        <translation>
            <numerusform>%n token · trace %1</numerusform>
            <numerusform>%n tokens · trace %1</numerusform>
        </translation>
    </message>
</context>
</TS>
