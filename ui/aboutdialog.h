// About Seekbench: what it is, its version, the Qt it runs on, whether this build has
// CUDA and what devices it found.
#pragma once

#include <QDialog>

class DeviceController;
class QDialogButtonBox;
class QWidget;

// The app's icon on the left, `text` beside it, `buttons` below: the layout of the About and
// Welcome dialogs.
void layOutBesideIcon(QDialog* dialog, QWidget* text, QDialogButtonBox* buttons);

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(const DeviceController& devices, QWidget* parent = nullptr);
};
