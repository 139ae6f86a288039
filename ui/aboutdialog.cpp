// AboutDialog: one rich-text label and a Close button.
#include "aboutdialog.h"

#include "ui/controllers/devicecontroller.h"

#include <QDialogButtonBox>
#include <QIcon>
#include <QLabel>
#include <QHBoxLayout>
#include <QVBoxLayout>

AboutDialog::AboutDialog(const DeviceController& devices, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("About Seekbench"));
#ifdef SEEKBENCH_HAVE_CUDA
    const QString cuda = tr("yes");
#else
    const QString cuda = tr("no");
#endif
    const QString deviceLine =
        devices.hasResult()
            ? tr("Devices: %1; GPU: %2")
                  .arg(devices.cpuSummary().toHtmlEscaped(), devices.cudaSummary().toHtmlEscaped())
            : tr("Devices: still probing");
    auto* text = new QLabel(this);
    text->setTextFormat(Qt::RichText);
    text->setWordWrap(true);
    text->setOpenExternalLinks(true);
    text->setText(
        QStringLiteral("<h2>Seekbench %1</h2><p>%2</p><p>%3<br>%4<br>%5</p>")
            .arg(QStringLiteral(SEEKBENCH_VERSION),
                 tr("Chat with local language models and see inside them: which tokens each "
                    "attention head looks at, which experts the router picks."),
                 tr("Qt %1").arg(QString::fromLatin1(qVersion())),
                 tr("Built with CUDA: %1").arg(cuda), deviceLine));
    text->setMinimumWidth(420);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layOutBesideIcon(this, text, buttons);
}

void layOutBesideIcon(QDialog* dialog, QWidget* text, QDialogButtonBox* buttons)
{
    auto* icon = new QLabel(dialog);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/seekbench.svg")).pixmap(96, 96));
    icon->setAlignment(Qt::AlignTop);
    icon->setAccessibleName(QStringLiteral("Seekbench"));
    auto* row = new QHBoxLayout;
    row->addWidget(icon);
    row->addWidget(text, 1);
    auto* layout = new QVBoxLayout(dialog);
    layout->addLayout(row);
    layout->addWidget(buttons);
}
