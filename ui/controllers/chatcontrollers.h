// The chat's three controllers (the conversations, the turn in flight, the traces), made in
// the order they depend on each other, so that main(), the window and tests hold one thing.
#pragma once

#include "conversationcontroller.h"
#include "tracecontroller.h"
#include "turncontroller.h"

class AppSettings;
class EngineController;
class ModelController;

struct ChatControllers {
    ChatControllers(AppSettings& settings, EngineController& engine, ModelController& models)
        : conversations(settings, models), turns(conversations, engine), traces(conversations, turns, engine)
    {
    }

    ConversationController conversations;
    TurnController turns;
    TraceController traces;
};
