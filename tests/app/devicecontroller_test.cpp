// DeviceController: the probe runs off the GUI thread and answers with what the engine can
// use: the CPU's kernels always, and a CUDA device or the reason there is none.
#include "controllers.h"

#include "engine/device.h"

#include <QTemporaryDir>

class DeviceControllerTest : public QObject {
    Q_OBJECT
private slots:
    void probesWithoutBlocking()
    {
        DeviceController devices;
        QSignalSpy probed(&devices, &DeviceController::probed);
        devices.probe();
        QVERIFY(probed.wait(30000));
        QVERIFY(devices.hasResult());
        QVERIFY(devices.cpuSummary().startsWith(QLatin1String("CPU")));
        QVERIFY(!devices.cudaSummary().isEmpty());
        const seekbench::CudaProbe cuda = seekbench::probe_cuda();
        QCOMPARE(devices.cudaAvailable(), cuda.available);
        if (!cuda.available) // this machine: the reason, as the engine gives it
            QVERIFY2(devices.cudaSummary().contains(QString::fromStdString(cuda.reason)),
                     qPrintable(devices.cudaSummary()));
    }
};

QTEST_GUILESS_MAIN(DeviceControllerTest)
#include "devicecontroller_test.moc"
