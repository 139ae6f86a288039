// Chunking per document type against golden chunks (text and heading; each chunk's span
// must select exactly its text in the original, or for HTML the markup around it), plus
// the UTF-8 and binary checks ingestion relies on.
#include "storage/chunker.h"

#include <QTest>

using namespace seekbench::storage;

Q_DECLARE_METATYPE(DocumentType)

class ChunkerTest : public QObject {
    Q_OBJECT
private slots:
    void chunks_data()
    {
        QTest::addColumn<DocumentType>("type");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("target");
        QTest::addColumn<int>("max");
        QTest::addColumn<QStringList>("golden"); // "heading|text" per chunk

        QTest::newRow("markdown by headings, fences kept whole")
            << DocumentType::Markdown
            << QByteArray("intro line\n\n# Install\n\nRun the script.\n\n## From source\n\nBuild it.\n```\n"
                          "# not a heading\n```\n")
            << 1000 << 1600
            << QStringList{"|intro line", "Install|# Install\n\nRun the script.",
                           "Install > From source|## From source\n\nBuild it.\n```\n# not a heading\n```"};
        QTest::newRow("text packs paragraphs, splits a long one at a sentence")
            << DocumentType::Text
            << QByteArray("First paragraph is here.\n\nSecond one.\n\nThird paragraph is rather longer than the "
                          "others. It has two sentences that go on.\n")
            << 40 << 60
            << QStringList{"|First paragraph is here.\n\nSecond one.",
                           "|Third paragraph is rather longer than the others.", "|It has two sentences that go on."};
        QTest::newRow("python by top-level definitions")
            << DocumentType::Code
            << QByteArray("import os\n\n\ndef a():\n    return 1\n\n\nclass B:\n    def m(self):\n        pass\n")
            << 30 << 60
            << QStringList{"import os|import os", "def a():|def a():\n    return 1",
                           "class B:|class B:\n    def m(self):\n        pass"};
        QTest::newRow("c++ keeps a brace on its own line with its function")
            << DocumentType::Code
            << QByteArray("#include <x>\n\nint f()\n{\n    return 1;\n}\n\nint g() { return 2; }\n")
            << 30 << 60
            << QStringList{"|#include <x>", "int f()|int f()\n{\n    return 1;\n}",
                           "int g() { return 2; }|int g() { return 2; }"};
        QTest::newRow("chinese splits after full stops")
            << DocumentType::Text << QByteArray("深度求索是一家公司。它做模型。很多人用。") << 20 << 30
            << QStringList{"|深度求索是一家公司。", "|它做模型。", "|很多人用。"};
    }

    void chunks()
    {
        QFETCH(DocumentType, type);
        QFETCH(QByteArray, input);
        QFETCH(int, target);
        QFETCH(int, max);
        QFETCH(QStringList, golden);
        const std::string text = input.toStdString();
        const auto out = chunk_document(text, type, {static_cast<std::size_t>(target), static_cast<std::size_t>(max)});
        QStringList got;
        for (const ChunkSpan& c : out) {
            got << QString::fromStdString(c.heading + "|" + c.text);
            QCOMPARE(text.substr(static_cast<std::size_t>(c.start), static_cast<std::size_t>(c.end - c.start)),
                     c.text);
            QVERIFY(c.text.size() <= static_cast<std::size_t>(max));
        }
        QCOMPARE(got, golden);
    }

    void htmlKeepsHeadingsAndSourceSpans()
    {
        const std::string html =
            "<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Guide</h1>"
            "<p>Hello &amp; welcome.</p><h2>Part</h2><p>Body <b>text</b></p><script>var x = '<p>';</script>"
            "</body></html>";
        const auto out = chunk_document(html, DocumentType::Html);
        QCOMPARE(out.size(), std::size_t(3));
        const std::vector<std::string> texts = {"T", "Guide\n\nHello & welcome.", "Part\n\nBody text"};
        const std::vector<std::string> headings = {"", "Guide", "Guide > Part"};
        const std::vector<std::string> spans = {"T", "Guide</h1><p>Hello &amp; welcome.", "Part</h2><p>Body <b>text"};
        for (std::size_t i = 0; i < out.size(); ++i) {
            QCOMPARE(out[i].text, texts[i]);
            QCOMPARE(out[i].heading, headings[i]);
            QCOMPARE(html.substr(static_cast<std::size_t>(out[i].start),
                                 static_cast<std::size_t>(out[i].end - out[i].start)),
                     spans[i]);
        }
    }

    void pagesKeepTheirNumbers()
    {
        const auto out = chunk_pages({"Page one text.\n", "", "Page three text.\n"});
        QCOMPARE(out.size(), std::size_t(2));
        QCOMPARE(out[0].page, 1);
        QCOMPARE(out[0].text, std::string("Page one text."));
        QCOMPARE(out[1].page, 3);
        QCOMPARE(out[1].start, int64_t(0));
        QCOMPARE(out[1].end, int64_t(16));
    }

    void hardSplitsNeverCutACharacter()
    {
        std::string text;
        for (int i = 0; i < 50; ++i)
            text += "é";
        const auto out = chunk_document(text, DocumentType::Text, {25, 25});
        QCOMPARE(out.size(), std::size_t(5));
        std::string joined;
        for (const auto& c : out) {
            QVERIFY(!invalid_utf8_at(c.text).has_value());
            QVERIFY(c.text.size() <= 25);
            joined += c.text;
        }
        QCOMPARE(joined, text);
    }

    void utf8AndBinaryChecks()
    {
        QVERIFY(!invalid_utf8_at("plain, 中文, emoji \xF0\x9F\x98\x80").has_value());
        QCOMPARE(invalid_utf8_at("ok \xC3\x28 bad").value_or(99), std::size_t(3));     // bad continuation
        QCOMPARE(invalid_utf8_at("\xC0\xAF").value_or(99), std::size_t(0));            // overlong '/'
        QCOMPARE(invalid_utf8_at("ab\xED\xA0\x80").value_or(99), std::size_t(2));      // surrogate
        QCOMPARE(invalid_utf8_at("end \xE4\xB8").value_or(99), std::size_t(4));        // truncated
        QVERIFY(looks_binary(std::string("PK\x03\x04\0\0", 6)));
        QVERIFY(!looks_binary("text only"));
    }

    void typesByName()
    {
        QVERIFY(document_type_for("/a/README.md").value() == DocumentType::Markdown);
        QVERIFY(document_type_for("/a/x.PY").value() == DocumentType::Code);
        QVERIFY(document_type_for("/a/page.htm").value() == DocumentType::Html);
        QVERIFY(document_type_for("/a/paper.pdf").value() == DocumentType::Pdf);
        QVERIFY(document_type_for("/a/notes.txt").value() == DocumentType::Text);
        QVERIFY(!document_type_for("/a/photo.jpg").has_value());
        QVERIFY(!document_type_for("/a/.bashrc").has_value());
    }
};

QTEST_GUILESS_MAIN(ChunkerTest)
#include "chunker_test.moc"
