// About Seekbench: what it is, its version, the Qt it runs on, whether this build has
// CUDA and what devices it found.
#pragma once

#include <QDialog>

class DeviceController;

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(const DeviceController& devices, QWidget* parent = nullptr);
};
