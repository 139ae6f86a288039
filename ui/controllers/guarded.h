// The one way controllers call into storage and the engine: a seekbench::Error thrown by
// the call becomes the controller's errorOccurred(message) signal instead of escaping into
// Qt's event loop. `context` may hold %1 for the error's text ("" = the text alone).
#pragma once

#include "engine/error.h"

#include <QString>
#include <optional>
#include <type_traits>

// guarded(this, &Controller::errorOccurred, tr("Import failed: %1"), [&] { return ...; })
// returns true/false for a void call, else std::optional of its result.
// Const methods may report too: a signal changes no state of the object.
template <typename Obj, typename F>
auto guarded(const Obj* obj, void (Obj::*signal)(const QString&), const QString& context, F&& f)
{
    using R = std::invoke_result_t<F>;
    auto report = [&](const seekbench::Error& e) {
        const QString message = QString::fromUtf8(e.what());
        emit (const_cast<Obj*>(obj)->*signal)(context.isEmpty() ? message : context.arg(message));
    };
    if constexpr (std::is_void_v<R>) {
        try {
            f();
            return true;
        } catch (const seekbench::Error& e) {
            report(e);
            return false;
        }
    } else {
        try {
            return std::optional<R>(f());
        } catch (const seekbench::Error& e) {
            report(e);
            return std::optional<R>();
        }
    }
}
