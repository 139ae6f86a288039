// ServerController: the app starts a real seekbench-server on the built-in model, reads its
// address, logs each request it answers (the API key asked for, and never on the server's
// command line), stops it; and says why when it cannot start (a port in use, no program).
#include "ui/controllers/servercontroller.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

namespace {
// The status of GET url (with a bearer key when given), waiting for the reply.
int get(QNetworkAccessManager& net, const QUrl& url, const QByteArray& key = {})
{
    QNetworkRequest request(url);
    if (!key.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + key);
    QNetworkReply* reply = net.get(request);
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000))
        return -1;
    reply->deleteLater();
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}
} // namespace

class ServerControllerTest : public QObject {
    Q_OBJECT
private slots:
    void servesLogsAndStops()
    {
        ServerController server;
        QAbstractItemModelTester tester(server.log(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy started(&server, &ServerController::started);
        QSignalSpy errors(&server, &ServerController::errorOccurred);
        ServerSettings settings;
        settings.port = 0;
        settings.slotCount = 2;
        settings.apiKey = QStringLiteral("app-key-123");
        server.start(QString(), settings);
        QCOMPARE(server.state(), ServerController::State::Starting);
        QVERIFY2(started.wait(30000), qPrintable(errors.isEmpty() ? QString() : errors.first().first().toString()));
        QCOMPARE(server.state(), ServerController::State::Running);
        const QUrl address = server.address();
        QVERIFY(address.port() > 0);

        // The key reaches the server through its environment, not its command line.
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(server.processId()));
        QVERIFY(cmdline.open(QIODevice::ReadOnly));
        QVERIFY(!cmdline.readAll().contains("app-key-123"));

        QNetworkAccessManager net;
        QCOMPARE(get(net, address.resolved(QUrl(QStringLiteral("/health")))), 200);
        QCOMPARE(get(net, address.resolved(QUrl(QStringLiteral("/v1/models")))), 401);
        QCOMPARE(get(net, address.resolved(QUrl(QStringLiteral("/v1/models"))), "app-key-123"), 200);
        QVERIFY(QTest::qWaitFor([&] { return server.log()->rowCount() == 3; }, 10000));
        QCOMPARE(server.log()->rowAt(0).route, QStringLiteral("/health"));
        QCOMPARE(server.log()->rowAt(1).status, 401);
        QCOMPARE(server.log()->rowAt(2).status, 200);
        QCOMPARE(server.log()->rowAt(2).method, QStringLiteral("GET"));
        QCOMPARE(server.log()->index(1, ServerLogModel::Route).data().toString(), QStringLiteral("/v1/models"));

        QSignalSpy stopped(&server, &ServerController::stopped);
        server.stop();
        QVERIFY(stopped.wait(15000));
        QCOMPARE(server.state(), ServerController::State::Stopped);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.isEmpty() ? QString() : errors.first().first().toString()));
        QVERIFY(!server.address().isValid() || server.address().isEmpty());
    }

    void aPortInUseIsSaid()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        ServerController server;
        QSignalSpy errors(&server, &ServerController::errorOccurred);
        ServerSettings settings;
        settings.port = taken.serverPort();
        server.start(QString(), settings);
        QVERIFY(errors.wait(30000));
        const QString why = errors.first().first().toString();
        QVERIFY2(why.startsWith(QLatin1String("The server did not start")) && why.contains(QLatin1String("cannot listen")),
                 qPrintable(why));
        QCOMPARE(server.state(), ServerController::State::Stopped);
    }

    void aMissingProgramIsSaid()
    {
        ServerController server(QStringLiteral("/nonexistent/seekbench-server"));
        QSignalSpy errors(&server, &ServerController::errorOccurred);
        server.start(QString(), ServerSettings{});
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains(QLatin1String("missing")));
        QCOMPARE(server.state(), ServerController::State::Stopped);
    }
};

QTEST_GUILESS_MAIN(ServerControllerTest)
#include "servercontroller_test.moc"
