//! Discord front-end: arb-core's Notifier and the slash-command / reaction approval surface over serenity.
