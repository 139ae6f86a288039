// DeviceController: engine probes on a short-lived QThread; results come back queued.
#include "devicecontroller.h"

#include "engine/device.h"

#include <QThread>

DeviceController::DeviceController(QObject* parent) : QObject(parent) {}

DeviceController::~DeviceController()
{
    if (m_thread)
        m_thread->wait();
}

void DeviceController::probe()
{
    if (m_thread)
        return;
    m_thread = QThread::create([this] {
        const seekbench::CpuInfo cpu = seekbench::probe_cpu();
        const seekbench::CudaProbe cuda = seekbench::probe_cuda();
        const char* level = seekbench::simd_name(cpu);
        const QString simd = qstrcmp(level, "portable") == 0 ? tr("portable")
                                                             : QString::fromLatin1(level);
        const QString cpuText = tr("CPU (%1, %n threads)", "", cpu.logical_cores).arg(simd);
        // The engine's reason stays in English: it is the driver's diagnostic.
        const QString cudaText = QString::fromStdString(
            cuda.available ? cuda.devices.front().name : cuda.reason);
        const bool available = cuda.available;
        QMetaObject::invokeMethod(
            this,
            [this, cpuText, cudaText, available] {
                m_cpu = cpuText;
                m_cuda = cudaText;
                m_cudaAvailable = available;
                m_done = true;
                emit probed();
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("device-probe"));
    m_thread->start();
}
