// ModelController: cheap checks on the GUI thread only (a 4-byte read); anything that
// touches the whole file happens on the engine worker.
#include "modelcontroller.h"

#include <QFile>
#include <QFileInfo>

ModelController::ModelController(AppSettings& settings, QObject* parent)
    : QObject(parent), m_settings(settings)
{
}

QString ModelController::currentName() const
{
    return m_path.isEmpty() ? QString() : QFileInfo(m_path).fileName();
}

void ModelController::open(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        emit errorOccurred(tr("The model file %1 does not exist.").arg(path));
        return;
    }
    QFile file(path);
    if (!info.isFile() || !file.open(QIODevice::ReadOnly)) {
        emit errorOccurred(tr("The model file %1 cannot be read.").arg(path));
        return;
    }
    if (file.read(4) != QByteArrayLiteral("GGUF")) {
        emit errorOccurred(tr("%1 is not a GGUF model file.").arg(info.fileName()));
        return;
    }
    m_path = info.absoluteFilePath();
    m_settings.addRecentModel(m_path);
    emit modelChanged(m_path);
}

void ModelController::close()
{
    if (m_path.isEmpty())
        return;
    m_path.clear();
    emit modelChanged(QString());
}
