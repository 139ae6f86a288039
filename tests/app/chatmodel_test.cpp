// ChatModel, the message model the conversations controller owns: rows follow the shown
// branch, a streamed piece grows its row in place with the reasoning split again, and an
// update replaces a row. Under QAbstractItemModelTester.
#include "ui/controllers/chatmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include "ui/controllers/chattypes.h"

#include <QTest>

class ChatModelTest : public QObject {
    Q_OBJECT
private slots:
    // The Models panel's parameter counts: M or B with sensible digits.
    void parameterCountsAsPeopleSayThem()
    {
        QCOMPARE(parameterCount(6940000), QStringLiteral("6.9 M"));
        QCOMPARE(parameterCount(3800000), QStringLiteral("3.8 M"));
        QCOMPARE(parameterCount(137000000), QStringLiteral("137 M"));
        QCOMPARE(parameterCount(1540000000), QStringLiteral("1.5 B"));
        QCOMPARE(parameterCount(671000000000ULL), QStringLiteral("671 B"));
        QCOMPARE(parameterCount(37000000000ULL), QStringLiteral("37 B"));
    }

    void chatModelFollowsStreaming()
    {
        ChatModel model;
        QAbstractItemModelTester tester(&model);
        MessageData user, reply;
        user.id = 1;
        user.role = QStringLiteral("user");
        user.content = QStringLiteral("Hi");
        reply.id = 2;
        reply.parentId = 1;
        reply.role = QStringLiteral("assistant");
        reply.streaming = true;
        model.setMessages({user, reply});
        QCOMPARE(model.rowCount(), 2);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.appendText(2, QStringLiteral("<think>hm"));
        model.appendText(2, QStringLiteral("</think>Hello"));
        QCOMPARE(changed.count(), 2);
        const QModelIndex i = model.index(1, 0);
        QCOMPARE(i.data(ChatModel::ContentRole).toString(), QStringLiteral("<think>hm</think>Hello"));
        QCOMPARE(i.data(ChatModel::AnswerRole).toString(), QStringLiteral("Hello"));
        QCOMPARE(i.data(ChatModel::ReasoningRole).toString(), QStringLiteral("hm"));
        model.appendText(99, QStringLiteral("nowhere")); // an unknown id changes nothing
        QCOMPARE(changed.count(), 2);
        reply.content = QStringLiteral("<think>hm</think>Hello");
        reply.streaming = false;
        reply.generatedTokens = 3;
        model.updateMessage(reply);
        QCOMPARE(i.data(ChatModel::GeneratedTokensRole).toInt(), 3);
        QCOMPARE(i.data(ChatModel::StreamingRole).toBool(), false);
        model.setMessages({});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(ChatModelTest)
#include "chatmodel_test.moc"
