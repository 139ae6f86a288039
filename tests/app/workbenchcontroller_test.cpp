// WorkbenchController: each job runs off the GUI thread on real files (a synthesized llama
// written here, ../shared's stories260K for conversion) and answers with Qt types; a
// cancelled quantization leaves no file; a bad file fails with the engine's reason.
#include "controllers.h"

#include <QFileInfo>
#include <QTemporaryDir>

namespace {

QString tinyModel(const QTemporaryDir& dir)
{
    seekbench::SynthOptions o;
    o.type = seekbench::TensorType::F32;
    const QString path = dir.filePath(QStringLiteral("tiny-f32.gguf"));
    seekbench::write_synth_model(*seekbench::find_synth_preset("llama-tiny"), o, path.toStdString());
    return path;
}

} // namespace

class WorkbenchControllerTest : public QObject {
    Q_OBJECT
private slots:
    void quantizesThenComparesThenProfiles()
    {
        QTemporaryDir dir;
        WorkbenchController wb;
        QSignalSpy busy(&wb, &WorkbenchController::busyChanged);
        QSignalSpy failed(&wb, &WorkbenchController::failed);
        const QString f32 = tinyModel(dir), q8 = dir.filePath(QStringLiteral("tiny-q8.gguf"));

        QSignalSpy quantized(&wb, &WorkbenchController::quantized);
        wb.quantize(f32, q8, QStringLiteral("Q8_0"));
        QVERIFY(wb.isBusy());
        QVERIFY2(quantized.wait(30000), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
        QVERIFY(quantized.first().first().toString().contains(QLatin1String("tiny-q8.gguf")));
        QTRY_VERIFY(!wb.isBusy());
        QCOMPARE(busy.size(), 2);
        QVERIFY(QFileInfo(q8).size() < QFileInfo(f32).size());

        QSignalSpy compared(&wb, &WorkbenchController::compared);
        wb.compare(f32, q8, QStringLiteral("Hello"), 12);
        QVERIFY(compared.wait(30000));
        const auto c = compared.first().first().value<WbComparison>();
        QCOMPARE(c.nameA, QStringLiteral("tiny-f32.gguf"));
        QVERIFY(c.a.size() >= 1 && c.a.size() <= 12 && c.b.size() >= 1);
        QCOMPARE(c.a.first().topA.size(), 5);
        QVERIFY(c.meanKl >= 0 && c.top1 > 0 && c.top1 <= 1);
        QVERIFY(c.speedA > 0 && c.speedB > 0);
        QTRY_VERIFY(!wb.isBusy());

        QSignalSpy profiled(&wb, &WorkbenchController::profiled);
        wb.profile(q8, 16, 4);
        QVERIFY(profiled.wait(30000));
        const auto p = profiled.first().first().value<WbProfile>();
        QCOMPARE(p.prefill.tokens, 16);
        QCOMPARE(p.decode.tokens, 4);
        QVERIFY(!p.decode.ops.isEmpty() && p.decode.ops.first().ms > 0);
        QVERIFY(p.bandwidth > 0);
        QVERIFY(p.fmaPeak > 0);
        // The prompt's matmuls count their float operations; attention and the rest do not.
        for (const WbProfileRow& r : p.prefill.ops)
            QVERIFY2(r.op.startsWith(QLatin1String("matmul ")) ? r.gflops > 0 : r.gflops == 0, qPrintable(r.op));
        QCOMPARE(p.prefill.layers.size(), 3); // two layers and the output
        QVERIFY(failed.isEmpty());
    }

    void cancelledQuantizationLeavesNothing()
    {
        QTemporaryDir dir;
        WorkbenchController wb;
        const QString big = writeSlowModel(dir), out = dir.filePath(QStringLiteral("never.gguf"));
        QSignalSpy cancelled(&wb, &WorkbenchController::cancelled);
        wb.quantize(big, out, QStringLiteral("Q4_K_M"));
        wb.cancel();
        QVERIFY(cancelled.wait(30000));
        QTRY_VERIFY(!wb.isBusy());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + QStringLiteral(".partial")));
    }

    void badFilesFailWithTheReason()
    {
        QTemporaryDir dir;
        WorkbenchController wb;
        QSignalSpy failed(&wb, &WorkbenchController::failed);
        const QString missing = dir.filePath(QStringLiteral("missing.gguf"));
        wb.compare(missing, missing, QStringLiteral("x"), 4);
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(QLatin1String("missing.gguf")),
                 qPrintable(failed.first().first().toString()));
        QTRY_VERIFY(!wb.isBusy());
        wb.convert(dir.path(), dir.filePath(QStringLiteral("x.gguf")), QStringLiteral("auto"), QString());
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.last().first().toString().contains(QLatin1String("config.json")));
    }

    void convertsLlama2cWithProgress()
    {
        const QString stories = QStringLiteral(SEEKBENCH_SHARED_DIR "/models/stories260K/");
        if (!QFileInfo::exists(stories + QStringLiteral("stories260K.bin")))
            QSKIP("../shared/models is not beside the repository");
        QTemporaryDir dir;
        WorkbenchController wb;
        QSignalSpy converted(&wb, &WorkbenchController::converted);
        QSignalSpy progress(&wb, &WorkbenchController::progress);
        wb.convert(stories + QStringLiteral("stories260K.bin"), dir.filePath(QStringLiteral("s.gguf")), QStringLiteral("f16"),
                   stories + QStringLiteral("tok512.bin"));
        QVERIFY(converted.wait(30000));
        QVERIFY(converted.first().first().toString().contains(QLatin1String("llama2.c")));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toInt(), progress.last().at(1).toInt()); // ends at 100%
    }
};

QTEST_GUILESS_MAIN(WorkbenchControllerTest)
#include "workbenchcontroller_test.moc"
