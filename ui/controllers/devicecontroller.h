// Finds out which devices the engine can use (CPU features, CUDA devices) off the GUI
// thread, since a CUDA driver can take a second to answer, and reports it as text.
#pragma once

#include <QObject>
#include <QString>

class QThread;

class DeviceController : public QObject {
    Q_OBJECT
public:
    explicit DeviceController(QObject* parent = nullptr);
    ~DeviceController() override;

    void probe();                          // starts the probe; probed() follows
    bool hasResult() const { return m_done; }
    QString cpuSummary() const { return m_cpu; }     // "CPU (AVX-512, 2 threads)"
    QString cudaSummary() const { return m_cuda; }   // device name, or why there is none
    bool cudaAvailable() const { return m_cudaAvailable; }

signals:
    void probed();

private:
    QThread* m_thread = nullptr;
    bool m_done = false;
    bool m_cudaAvailable = false;
    QString m_cpu, m_cuda;
};
