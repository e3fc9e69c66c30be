//! The wire protocol: every message Basalt nodes exchange, its size limit, and the names under
//! which it travels.
//!
//! All messages are SCALE-encoded with the same `Header`, `OpaqueExtrinsic` and `Justification`
//! types the rest of the node uses, so a block served to a peer is byte for byte the block that
//! was imported.
//!
//! Assumptions: every byte received from a peer may be hostile. Guarantees: decoding here never
//! panics and never allocates more than the size limit of the message being decoded (the
//! request-response codec refuses frames over the limit before reading them, and gossipsub
//! refuses messages over [`MAX_GOSSIP_SIZE`]); [`check_response`] rejects any block response
//! that does not answer the request it claims to answer, so the sync layer only ever sees
//! well-formed, linked runs of blocks.
//!
//! Names include the genesis hash (as Substrate's do), so nodes of different chains never share
//! a gossip topic, a sync protocol or a Kademlia DHT. The status protocol alone is chain
//! independent: it is how a node learns that a peer is on another chain, and drops it.

use std::io;

use basalt_support::generic::{extrinsics_root, Header, Justification, OpaqueExtrinsic};
use basalt_support::H256;
use codec::{Decode, DecodeLimit, Encode};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;

/// The most blocks one [`BlockRequest`] may ask for and one [`BlockResponse`] may carry, so a
/// single request costs the server a bounded amount of work.
pub const MAX_BLOCKS_PER_REQUEST: u32 = 128;
/// The largest encoded [`Status`] accepted; a real status is about 110 bytes.
pub const MAX_STATUS_SIZE: usize = 1024;
/// The largest encoded [`BlockRequest`] accepted; a real request is under 50 bytes.
pub const MAX_BLOCK_REQUEST_SIZE: usize = 1024;
/// The largest encoded [`BlockResponse`] a node sends or reads; servers stop adding blocks
/// before crossing it.
pub const MAX_BLOCK_RESPONSE_SIZE: usize = 16 * 1024 * 1024;
/// The largest gossip message (gossipsub's `max_transmit_size`): bounds a transaction batch, an
/// announcement or a finality message.
pub const MAX_GOSSIP_SIZE: usize = 4 * 1024 * 1024;
/// The largest chunk of a job output one request asks for or one answer carries.
pub const MAX_OUTPUT_CHUNK: u32 = 1 << 20;
/// The largest encoded [`OutputRequest`] accepted (a real one is 20 bytes).
pub const MAX_OUTPUT_REQUEST_SIZE: usize = 64;
/// The largest encoded [`OutputResponse`]: a chunk and its framing.
pub const MAX_OUTPUT_RESPONSE_SIZE: usize = MAX_OUTPUT_CHUNK as usize + 64;
/// Nesting limit for decoding peer input; Basalt's wire types nest a few levels at most.
pub const MAX_DECODE_DEPTH: u32 = 32;
/// The version of [`Status`] this node speaks; peers with another version are dropped.
pub const STATUS_VERSION: u32 = 1;

/// The chain-independent handshake protocol (see the module docs).
pub const STATUS_PROTOCOL: &str = "/basalt/status/1";

/// Decodes peer input with a depth limit, requiring every byte to be consumed.
pub fn decode_peer_input<T: Decode>(bytes: &[u8]) -> Result<T, codec::Error> {
    T::decode_all_with_depth_limit(MAX_DECODE_DEPTH, &mut &bytes[..])
}

/// The genesis hash as Substrate writes it in protocol names: lowercase hex, no `0x`.
fn genesis_hex(genesis: &H256) -> String {
    hex::encode(genesis.as_bytes())
}

/// The block-sync request-response protocol of the chain with this genesis.
pub fn sync_protocol(genesis: &H256) -> StreamProtocol {
    stream_protocol(format!("/{}/basalt/sync/1", genesis_hex(genesis)))
}

/// The direct finality-message protocol of the chain with this genesis: one opaque message to
/// one peer (GRANDPA's neighbour packets and catch-up), answered with an empty ack.
pub fn finality_protocol(genesis: &H256) -> StreamProtocol {
    stream_protocol(format!("/{}/basalt/finality/1", genesis_hex(genesis)))
}

/// The job-output protocol of the chain with this genesis: a client node asks a provider's
/// node for a chunk of a completed job's output ([`OutputRequest`] → [`OutputResponse`]).
pub fn outputs_protocol(genesis: &H256) -> StreamProtocol {
    stream_protocol(format!("/{}/basalt/job-outputs/1", genesis_hex(genesis)))
}

/// The Kademlia protocol of the chain with this genesis, so DHTs of different chains never
/// merge.
pub fn kad_protocol(genesis: &H256) -> StreamProtocol {
    stream_protocol(format!("/{}/kad", genesis_hex(genesis)))
}

/// Builds a protocol name; names built here always start with `/`, which is all libp2p checks.
fn stream_protocol(name: String) -> StreamProtocol {
    StreamProtocol::try_from_owned(name).unwrap_or_else(|_| StreamProtocol::new("/basalt/invalid"))
}

/// The kinds of gossip, one gossipsub topic each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GossipKind {
    /// SCALE `Vec<OpaqueExtrinsic>`: transactions for the pool.
    Transactions,
    /// SCALE [`BlockAnnounce`]: a peer imported a new block.
    BlockAnnounces,
    /// Opaque bytes of the finality gadget (GRANDPA votes and commits).
    Finality,
}

impl GossipKind {
    /// Every kind, for subscribing.
    pub const ALL: [GossipKind; 3] = [
        GossipKind::Transactions,
        GossipKind::BlockAnnounces,
        GossipKind::Finality,
    ];

    /// The gossipsub topic of this kind on the chain with this genesis.
    pub fn topic(self, genesis: &H256) -> String {
        let name = match self {
            GossipKind::Transactions => "transactions",
            GossipKind::BlockAnnounces => "block-announces",
            GossipKind::Finality => "finality",
        };
        format!("/{}/basalt/{name}/1", genesis_hex(genesis))
    }
}

/// What a node does on the network, as Substrate encodes it (one byte of flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct Roles(pub u8);

impl Roles {
    /// A full node: keeps and serves the whole chain.
    pub const FULL: Roles = Roles(0b0001);
    /// A light client (never produced by Basalt; decoded for completeness).
    pub const LIGHT: Roles = Roles(0b0010);
    /// A validator: authors and finalises blocks.
    pub const AUTHORITY: Roles = Roles(0b0100);

    /// Whether this node is an authority.
    pub fn is_authority(self) -> bool {
        self.0 & Self::AUTHORITY.0 != 0
    }

    /// The role name `system_peers` shows ("AUTHORITY", "FULL", "LIGHT"), as Substrate does.
    pub fn as_substrate_str(self) -> &'static str {
        if self.is_authority() {
            "AUTHORITY"
        } else if self.0 & Self::LIGHT.0 != 0 {
            "LIGHT"
        } else {
            "FULL"
        }
    }
}

/// The handshake both sides of a new connection send (as request and as response): enough to
/// tell whether the peer is on our chain and how far it is.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Status {
    /// [`STATUS_VERSION`]; a peer speaking another version is dropped.
    pub version: u32,
    /// What the peer does.
    pub roles: Roles,
    /// The peer's best block.
    pub best_number: u32,
    /// Hash of the peer's best block.
    pub best_hash: H256,
    /// The peer's last finalised block.
    pub finalized_number: u32,
    /// Hash of the peer's last finalised block.
    pub finalized_hash: H256,
    /// The chain the peer is on; a peer of another chain is refused.
    pub genesis_hash: H256,
}

/// The block a [`BlockRequest`] starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum BlockId {
    /// A block by hash (on any fork the server has).
    Hash(H256),
    /// A block by number on the server's best chain.
    Number(u32),
}

/// Which way a [`BlockRequest`] walks from its first block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Direction {
    /// Towards the head: the next block on the server's best chain, and so on.
    Ascending,
    /// Towards genesis: the parent, its parent, and so on.
    Descending,
}

/// The parts of each block a [`BlockRequest`] wants (flags, as Substrate's `BlockAttributes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockFields(pub u8);

impl BlockFields {
    /// The header.
    pub const HEADER: BlockFields = BlockFields(0b001);
    /// The extrinsics.
    pub const BODY: BlockFields = BlockFields(0b010);
    /// The finality proofs.
    pub const JUSTIFICATION: BlockFields = BlockFields(0b100);
    /// Everything an importing node needs.
    pub const ALL: BlockFields = BlockFields(0b111);

    /// Whether every flag of `other` is set here.
    pub fn contains(self, other: BlockFields) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A request for a run of consecutive blocks.
/// A request for `length` bytes (at most [`MAX_OUTPUT_CHUNK`]) of job `job`'s output from
/// `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct OutputRequest {
    /// The job (the Jobs pallet's id).
    pub job: u64,
    /// The first byte.
    pub offset: u64,
    /// How many bytes.
    pub length: u32,
}

/// A chunk of a job's output and the output's whole length.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct OutputChunk {
    /// The whole output's length.
    pub total: u64,
    /// The bytes from the request's offset (fewer than asked at the end).
    pub data: Vec<u8>,
}

/// The answer to an [`OutputRequest`]: `None` when the peer does not serve that output (it
/// does not have it, or the job is not completed: outputs are never served before the chain
/// settles them, or a provider could copy another's output instead of computing it).
pub type OutputResponse = Option<OutputChunk>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockRequest {
    /// The first block.
    pub from: BlockId,
    /// Which way to walk from it.
    pub direction: Direction,
    /// How many blocks at most; servers clamp it to 1..=[`MAX_BLOCKS_PER_REQUEST`].
    pub max: u32,
    /// Which parts of each block to send.
    pub fields: BlockFields,
}

impl BlockRequest {
    /// Everything about up to `max` blocks from number `from` upwards: what sync asks for.
    pub fn ascending_from(from: u32, max: u32) -> Self {
        BlockRequest {
            from: BlockId::Number(from),
            direction: Direction::Ascending,
            max,
            fields: BlockFields::ALL,
        }
    }

    /// `max` clamped to the range a server honours.
    pub fn effective_max(&self) -> u32 {
        self.max.clamp(1, MAX_BLOCKS_PER_REQUEST)
    }
}

/// One block of a [`BlockResponse`]; fields not requested are `None`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockData {
    /// The block hash (always present, so a headerless response can still be matched).
    pub hash: H256,
    /// The header, if requested.
    pub header: Option<Header>,
    /// The extrinsics, if requested.
    pub body: Option<Vec<OpaqueExtrinsic>>,
    /// The finality proofs, if requested and known.
    pub justifications: Option<Vec<Justification>>,
}

impl BlockData {
    /// The block as the importer takes it, when both header and body were sent.
    pub fn into_signed_block(self) -> Option<basalt_support::generic::SignedBlock> {
        Some(basalt_support::generic::SignedBlock {
            block: basalt_support::generic::Block {
                header: self.header?,
                extrinsics: self.body?,
            },
            justifications: self.justifications,
        })
    }
}

/// The answer to a [`BlockRequest`]: the blocks in request order; fewer than asked when the
/// server has no more or hit [`MAX_BLOCK_RESPONSE_SIZE`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct BlockResponse {
    /// The blocks.
    pub blocks: Vec<BlockData>,
}

/// A block-announcement gossip message.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockAnnounce {
    /// The new block's header.
    pub header: Header,
    /// Whether the block is the announcer's new best block.
    pub is_best: bool,
}

/// Why a [`BlockResponse`] does not answer its request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// More blocks than the request allowed.
    #[error("{got} blocks returned, at most {max} requested")]
    TooManyBlocks {
        /// Blocks returned.
        got: usize,
        /// Blocks allowed.
        max: u32,
    },
    /// A requested field is missing.
    #[error("block {0:?} lacks a requested field")]
    MissingField(H256),
    /// The header does not hash to the stated hash.
    #[error("block {0:?}: header does not match its hash")]
    HashMismatch(H256),
    /// The body does not match the header's extrinsics root.
    #[error("block {0:?}: body does not match the extrinsics root")]
    BodyMismatch(H256),
    /// The first block is not the one requested.
    #[error("the first block is not the requested one")]
    WrongStart,
    /// Two consecutive blocks are not parent and child.
    #[error("blocks {0:?} and {1:?} are not linked")]
    NotLinked(H256, H256),
}

/// Checks that `response` is a well-formed answer to `request`: no more blocks than allowed,
/// every requested field present, headers matching hashes, bodies matching extrinsics roots,
/// the first block the requested one and each next block linked to the previous one in the
/// request's direction. Guarantees to callers: a response that passes is a linked run of
/// genuine blocks (validity of their contents is the importer's business).
pub fn check_response(
    request: &BlockRequest,
    response: &BlockResponse,
) -> Result<(), ResponseError> {
    let max = request.effective_max();
    if response.blocks.len() > max as usize {
        return Err(ResponseError::TooManyBlocks {
            got: response.blocks.len(),
            max,
        });
    }
    let want_header = request.fields.contains(BlockFields::HEADER);
    let want_body = request.fields.contains(BlockFields::BODY);
    for block in &response.blocks {
        if (want_header && block.header.is_none()) || (want_body && block.body.is_none()) {
            return Err(ResponseError::MissingField(block.hash));
        }
        if let Some(header) = &block.header {
            if header.hash() != block.hash {
                return Err(ResponseError::HashMismatch(block.hash));
            }
            if let Some(body) = &block.body {
                if extrinsics_root(body) != header.extrinsics_root {
                    return Err(ResponseError::BodyMismatch(block.hash));
                }
            }
        }
    }
    if let Some(first) = response.blocks.first() {
        let starts_right = match request.from {
            BlockId::Hash(hash) => first.hash == hash,
            BlockId::Number(number) => first.header.as_ref().is_none_or(|h| h.number == number),
        };
        if !starts_right {
            return Err(ResponseError::WrongStart);
        }
    }
    for pair in response.blocks.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (Some(ha), Some(hb)) = (&a.header, &b.header) else {
            continue;
        };
        let linked = match request.direction {
            Direction::Ascending => {
                hb.parent_hash == a.hash && hb.number == ha.number.wrapping_add(1)
            }
            Direction::Descending => {
                ha.parent_hash == b.hash && ha.number == hb.number.wrapping_add(1)
            }
        };
        if !linked {
            return Err(ResponseError::NotLinked(a.hash, b.hash));
        }
    }
    Ok(())
}

/// The request-response codec: each request and each response is one frame, a 4-byte
/// big-endian length followed by that many bytes (a SCALE message). Frames over the limit are
/// refused before any byte of their body is read. Messages are passed on as bytes so that the
/// service, not the codec, decodes them and charges the sender for garbage.
#[derive(Clone, Debug)]
pub struct FrameCodec {
    /// The largest request frame read.
    pub max_request: usize,
    /// The largest response frame read.
    pub max_response: usize,
}

impl FrameCodec {
    /// The codec of the status protocol.
    pub fn status() -> Self {
        FrameCodec {
            max_request: MAX_STATUS_SIZE,
            max_response: MAX_STATUS_SIZE,
        }
    }

    /// The codec of the direct finality-message protocol (the ack is empty).
    pub fn finality() -> Self {
        FrameCodec {
            max_request: MAX_GOSSIP_SIZE,
            max_response: 16,
        }
    }

    /// The codec of the job-output protocol.
    pub fn outputs() -> Self {
        FrameCodec {
            max_request: MAX_OUTPUT_REQUEST_SIZE,
            max_response: MAX_OUTPUT_RESPONSE_SIZE,
        }
    }

    /// The codec of the block-sync protocol.
    pub fn sync() -> Self {
        FrameCodec {
            max_request: MAX_BLOCK_REQUEST_SIZE,
            max_response: MAX_BLOCK_RESPONSE_SIZE,
        }
    }
}

/// Reads one frame of at most `max` bytes.
async fn read_frame<T: AsyncRead + Unpin + Send>(io: &mut T, max: usize) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the limit of {max}"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

/// Writes one frame, refusing to send one the peer would refuse.
async fn write_frame<T: AsyncWrite + Unpin + Send>(
    io: &mut T,
    bytes: &[u8],
    max: usize,
) -> io::Result<()> {
    if bytes.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("frame of {} bytes exceeds the limit of {max}", bytes.len()),
        ));
    }
    io.write_all(&(bytes.len() as u32).to_be_bytes()).await?;
    io.write_all(bytes).await?;
    io.flush().await
}

#[async_trait::async_trait]
impl libp2p::request_response::Codec for FrameCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io, self.max_request).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io, self.max_response).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &request, self.max_request).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &response, self.max_response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_support::generic::Digest;

    fn block(number: u32, parent: H256) -> BlockData {
        let body = vec![OpaqueExtrinsic::from_body(vec![number as u8; 3])];
        let header = Header::new(
            number,
            extrinsics_root(&body),
            H256::repeat_byte(7),
            parent,
            Digest::default(),
        );
        BlockData {
            hash: header.hash(),
            header: Some(header),
            body: Some(body),
            justifications: None,
        }
    }

    fn run(from: u32, len: u32) -> Vec<BlockData> {
        let mut parent = H256::repeat_byte(1);
        (from..from + len)
            .map(|n| {
                let b = block(n, parent);
                parent = b.hash;
                b
            })
            .collect()
    }

    #[test]
    fn messages_roundtrip() {
        let req = BlockRequest::ascending_from(5, 128);
        assert_eq!(decode_peer_input::<BlockRequest>(&req.encode()), Ok(req));
        let resp = BlockResponse { blocks: run(1, 3) };
        assert_eq!(decode_peer_input::<BlockResponse>(&resp.encode()), Ok(resp));
        let mut trailing = req.encode();
        trailing.push(0);
        assert!(decode_peer_input::<BlockRequest>(&trailing).is_err());
        assert!(decode_peer_input::<Status>(&[0xff; 7]).is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        // A small deterministic generator; the point is breadth of garbage, not quality.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let valid = BlockResponse { blocks: run(1, 2) }.encode();
        for round in 0..20_000 {
            let len = (next() % 300) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if round % 2 == 0 && !valid.is_empty() {
                // Mutate a valid message instead: flips deep inside real structure.
                bytes = valid.clone();
                let at = (next() as usize) % bytes.len();
                bytes[at] ^= (next() as u8) | 1;
                bytes.truncate((next() as usize) % (bytes.len() + 1));
            }
            let _ = decode_peer_input::<Status>(&bytes);
            let _ = decode_peer_input::<BlockRequest>(&bytes);
            let _ = decode_peer_input::<BlockAnnounce>(&bytes);
            let _ = decode_peer_input::<Vec<OpaqueExtrinsic>>(&bytes);
            if let Ok(resp) = decode_peer_input::<BlockResponse>(&bytes) {
                let _ = check_response(&BlockRequest::ascending_from(1, 2), &resp);
            }
        }
    }

    #[test]
    fn names_depend_on_genesis() {
        let (a, b) = (H256::repeat_byte(1), H256::repeat_byte(2));
        assert_ne!(sync_protocol(&a), sync_protocol(&b));
        assert_ne!(kad_protocol(&a), kad_protocol(&b));
        assert_ne!(finality_protocol(&a), finality_protocol(&b));
        for kind in GossipKind::ALL {
            assert_ne!(kind.topic(&a), kind.topic(&b));
            assert!(kind.topic(&a).contains(&hex::encode(a.as_bytes())));
        }
    }

    #[test]
    fn check_response_accepts_linked_runs() {
        let req = BlockRequest::ascending_from(1, 3);
        assert_eq!(
            check_response(&req, &BlockResponse { blocks: run(1, 3) }),
            Ok(())
        );
        assert_eq!(
            check_response(&req, &BlockResponse { blocks: run(1, 1) }),
            Ok(())
        );
        assert_eq!(check_response(&req, &BlockResponse::default()), Ok(()));
        let mut desc = run(1, 3);
        desc.reverse();
        let req = BlockRequest {
            from: BlockId::Hash(desc[0].hash),
            direction: Direction::Descending,
            ..req
        };
        assert_eq!(
            check_response(&req, &BlockResponse { blocks: desc }),
            Ok(())
        );
    }

    #[test]
    fn check_response_rejects_bad_runs() {
        let req = BlockRequest::ascending_from(1, 2);
        let too_many = BlockResponse { blocks: run(1, 3) };
        assert!(matches!(
            check_response(&req, &too_many),
            Err(ResponseError::TooManyBlocks { .. })
        ));
        let mut blocks = run(1, 2);
        blocks[1].hash = H256::zero();
        assert!(matches!(
            check_response(&req, &BlockResponse { blocks }),
            Err(ResponseError::HashMismatch(_))
        ));
        let mut blocks = run(1, 2);
        blocks[0].body = Some(vec![]);
        assert!(matches!(
            check_response(&req, &BlockResponse { blocks }),
            Err(ResponseError::BodyMismatch(_))
        ));
        let mut blocks = run(1, 2);
        blocks[0].body = None;
        assert!(matches!(
            check_response(&req, &BlockResponse { blocks }),
            Err(ResponseError::MissingField(_))
        ));
        assert_eq!(
            check_response(&req, &BlockResponse { blocks: run(2, 2) }),
            Err(ResponseError::WrongStart)
        );
        let mut blocks = run(1, 1);
        blocks.push(block(2, H256::zero()));
        assert!(matches!(
            check_response(&req, &BlockResponse { blocks }),
            Err(ResponseError::NotLinked(..))
        ));
    }

    #[test]
    fn frames_respect_limits() {
        futures::executor::block_on(async {
            let mut codec = FrameCodec {
                max_request: 8,
                max_response: 8,
            };
            let proto = StreamProtocol::new(STATUS_PROTOCOL);
            let mut out = Vec::new();
            use libp2p::request_response::Codec;
            codec
                .write_request(
                    &proto,
                    &mut futures::io::Cursor::new(&mut out),
                    vec![1, 2, 3],
                )
                .await
                .expect("fits");
            let read = codec
                .read_request(&proto, &mut futures::io::Cursor::new(out))
                .await
                .expect("reads");
            assert_eq!(read, vec![1, 2, 3]);
            // An announced length over the limit is refused without reading the body.
            let huge = [0xff, 0xff, 0xff, 0xff];
            assert!(codec
                .read_request(&proto, &mut futures::io::Cursor::new(huge.to_vec()))
                .await
                .is_err());
            // A truncated frame is an error, not a hang or a panic.
            assert!(codec
                .read_request(&proto, &mut futures::io::Cursor::new(vec![0, 0, 0, 5, 1]))
                .await
                .is_err());
            assert!(codec
                .write_request(
                    &proto,
                    &mut futures::io::Cursor::new(Vec::new()),
                    vec![0; 9]
                )
                .await
                .is_err());
        });
    }
}
