//! The `finality_grandpa::voter::Environment` of one authority set: chain queries, round
//! timers, round input/output streams, and the callbacks that make votes durable.
//!
//! One environment serves one set; after a handoff the worker builds a new voter with a new
//! environment, and the old one turns inert (its callbacks and sinks see a stale set id and do
//! nothing), so a vote can never be signed for a set that is over.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use basalt_support::{BlockNumber, H256};
use finality_grandpa::voter::{CommunicationOut, RoundData};
use finality_grandpa::{round::State as RoundState, HistoricalVotes};
use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::{FutureExt, Sink, Stream, StreamExt};
use parking_lot::Mutex;

use super::gossip::{GlobalInItem, Shared};
use super::worker::GrandpaEquivocation;
use super::{
    AuthorityId, AuthoritySignature, Clock, Commit, GrandpaError, Message, Precommit, Prevote,
    PrimaryPropose, RoundNumber, SetId, SignedMessage,
};
use crate::chain::BlockTree;

/// A round or commit timer.
pub(crate) type Timer = Pin<Box<dyn std::future::Future<Output = Result<(), GrandpaError>> + Send>>;

/// The environment of one set's voter.
pub(crate) struct Environment {
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) set_id: SetId,
    pub(crate) tree: Arc<dyn BlockTree>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) gossip_duration_ms: u64,
}

impl Environment {
    fn timer(&self, ms: u64) -> Timer {
        Box::pin(self.clock.delay(ms).map(Ok))
    }
}

/// Votes of one round, as the voter reads them.
pub(crate) struct RoundIncoming(UnboundedReceiver<SignedMessage>);

impl Stream for RoundIncoming {
    type Item = Result<SignedMessage, GrandpaError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_next_unpin(cx).map(|o| o.map(Ok))
    }
}

/// Our votes of one round, as the voter emits them: recorded, signed and sent by [`Shared`].
pub(crate) struct RoundOutgoing {
    shared: Arc<Mutex<Shared>>,
    set_id: SetId,
    round: RoundNumber,
}

impl Sink<Message> for RoundOutgoing {
    type Error = GrandpaError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Self::Error> {
        self.shared
            .lock()
            .send_own_vote(self.set_id, self.round, message);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}

/// Commits and catch-ups for the voter, validated by [`Shared`].
pub(crate) struct GlobalIncoming(pub(crate) UnboundedReceiver<GlobalInItem>);

impl Stream for GlobalIncoming {
    type Item = Result<GlobalInItem, GrandpaError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_next_unpin(cx).map(|o| o.map(Ok))
    }
}

/// Commits the voter produces, broadcast by [`Shared`].
pub(crate) struct GlobalOutgoing {
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) set_id: SetId,
}

type CommOut = CommunicationOut<H256, BlockNumber, AuthoritySignature, AuthorityId>;

impl Sink<CommOut> for GlobalOutgoing {
    type Error = GrandpaError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: CommOut) -> Result<(), Self::Error> {
        let CommunicationOut::Commit(round, commit) = item;
        self.shared.lock().send_commit(self.set_id, round, commit);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}

impl finality_grandpa::Chain<H256, BlockNumber> for Environment {
    fn ancestry(&self, base: H256, block: H256) -> Result<Vec<H256>, finality_grandpa::Error> {
        self.tree
            .ancestry(&base, &block)
            .map_err(|_| finality_grandpa::Error::NotDescendent)
    }
}

impl finality_grandpa::voter::Environment<H256, BlockNumber> for Environment {
    type Timer = Timer;
    type BestChain = futures::future::Ready<Result<Option<(H256, BlockNumber)>, GrandpaError>>;
    type Id = AuthorityId;
    type Signature = AuthoritySignature;
    type In = RoundIncoming;
    type Out = RoundOutgoing;
    type Error = GrandpaError;

    fn best_chain_containing(&self, base: H256) -> Self::BestChain {
        futures::future::ready(Ok(self.shared.lock().best_chain_containing(base)))
    }

    fn round_data(&self, round: u64) -> RoundData<Self::Id, Self::Timer, Self::In, Self::Out> {
        let (tx, rx) = unbounded();
        let voter_id = self.shared.lock().open_round(self.set_id, round, tx);
        RoundData {
            voter_id,
            prevote_timer: self.timer(self.gossip_duration_ms.saturating_mul(2)),
            precommit_timer: self.timer(self.gossip_duration_ms.saturating_mul(4)),
            incoming: RoundIncoming(rx),
            outgoing: RoundOutgoing {
                shared: self.shared.clone(),
                set_id: self.set_id,
                round,
            },
        }
    }

    fn round_commit_timer(&self) -> Self::Timer {
        let ms = self
            .shared
            .lock()
            .jitter
            .next_below(self.gossip_duration_ms.max(1));
        self.timer(ms)
    }

    fn proposed(&self, round: u64, propose: PrimaryPropose) -> Result<(), Self::Error> {
        self.shared
            .lock()
            .note_proposed(self.set_id, round, propose)
    }

    fn prevoted(&self, round: u64, prevote: Prevote) -> Result<(), Self::Error> {
        self.shared
            .lock()
            .note_prevoted(self.set_id, round, prevote)
    }

    fn precommitted(&self, round: u64, precommit: Precommit) -> Result<(), Self::Error> {
        self.shared
            .lock()
            .note_precommitted(self.set_id, round, precommit)
    }

    fn completed(
        &self,
        round: u64,
        _state: RoundState<H256, BlockNumber>,
        base: (H256, BlockNumber),
        votes: &HistoricalVotes<H256, BlockNumber, Self::Signature, Self::Id>,
    ) -> Result<(), Self::Error> {
        self.shared
            .lock()
            .note_completed(self.set_id, round, base, votes.seen())
    }

    fn concluded(
        &self,
        _round: u64,
        _state: RoundState<H256, BlockNumber>,
        _base: (H256, BlockNumber),
        _votes: &HistoricalVotes<H256, BlockNumber, Self::Signature, Self::Id>,
    ) -> Result<(), Self::Error> {
        Ok(())
    }

    fn finalize_block(
        &self,
        hash: H256,
        number: BlockNumber,
        round: u64,
        commit: Commit,
    ) -> Result<(), Self::Error> {
        self.shared
            .lock()
            .finalize_from_voter(self.set_id, hash, number, round, commit)
    }

    fn prevote_equivocation(
        &self,
        _round: u64,
        equivocation: finality_grandpa::Equivocation<Self::Id, Prevote, Self::Signature>,
    ) {
        let mut shared = self.shared.lock();
        if shared.set_id() == self.set_id {
            shared.report_equivocation(self.set_id, GrandpaEquivocation::Prevote(equivocation));
        }
    }

    fn precommit_equivocation(
        &self,
        _round: u64,
        equivocation: finality_grandpa::Equivocation<Self::Id, Precommit, Self::Signature>,
    ) {
        let mut shared = self.shared.lock();
        if shared.set_id() == self.set_id {
            shared.report_equivocation(self.set_id, GrandpaEquivocation::Precommit(equivocation));
        }
    }
}
