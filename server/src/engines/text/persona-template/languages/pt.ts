// Portuguese frames of the persona template engine (slots and rules: ../frames.ts); written so
// that they read right in both Brazilian and European Portuguese.
import type { Frames } from '../frames.ts';

export const ptFrames: Frames = {
  openers: {
    reserved: ['Nota rápida.', 'Hoje, em resumo.', 'Uma pequena atualização.', 'Simples assim.', 'Para registro.'],
    friendly: ['Olá, pessoal!', 'Oi, amigos!', 'Bom, então.', 'Pequena atualização.', 'Bom dia a todos!', 'Passando para dar um oi.'],
    warm: ['Olá, gente linda!', 'Um abraço enorme para todos hoje.', 'Coração cheio, de verdade.', 'Vocês fazem o meu dia.', 'Que bom ter vocês aqui, de coração.'],
  },
  flirtyOpeners: ['Ora, olá.', 'Olha quem apareceu.', 'Chamou sua atenção?', 'Oi, você.'],
  ideaLines: [
    '{Idea}: exatamente o que eu precisava hoje.',
    'Hoje foi dia disto: {idea}.',
    '{Idea}. Sem comentários.',
    'Agora mesmo: {idea}.',
    '{Idea}, e faria tudo de novo amanhã.',
    'O melhor da semana: {idea}.',
    'Há dias feitos para isto: {idea}.',
    '{Idea} e muito bom humor.',
    'Tinha que compartilhar: {idea}.',
  ],
  topicLines: ['Vocês me conhecem: {topic}, sempre.', 'Ainda pensando nisto: {topic}.', '{Topic}: o que me move.', 'Em breve, mais sobre {topic}.', '{Topic}: nunca é demais.', '{Topic}, o meu lugar feliz.'],
  traitLines: ['Modo {trait}: ligado.', '{Trait}, como sempre.', 'Hoje, bem {trait}.', 'O meu lado {trait} em ação.'],
  closers: {
    reserved: ['Mais em breve.', 'Por agora é isso.', 'Até a próxima.', 'Opiniões são bem-vindas.'],
    friendly: ['E vocês, o que vão fazer hoje?', 'Contem nos comentários!', 'Quem mais?', 'Tenham um ótimo dia!', 'O que acham?'],
    warm: ['Amo vocês, cuidem-se.', 'Contem como foi o dia de vocês, quero saber!', 'Mandando boas vibrações para vocês.', 'Vocês também merecem um dia assim.', 'Que bom ter vocês sempre aqui.'],
  },
  flirtyClosers: ['Não me deixe esperando nos comentários.', 'Sua vez de me fazer sorrir.', 'Eu vi você olhando.', 'Me diga algo gentil.'],
  noIdea: ['um dia tranquilo', 'as pequenas coisas', 'as pequenas vitórias de hoje', 'um novo começo', 'este momento'],
  altText: ['Foto de {name}: {idea}.', '{name} — {idea}.', 'Imagem de {name}: {idea}.'],
  threadHooks: ['Algumas ideias sobre isto: {idea}.', 'Vamos falar disto: {idea}.', 'Tudo o que aprendi: {idea}.', 'Por que isto importa para mim: {idea}.'],
  threadEnds: {
    reserved: ['Esse é o essencial. Perguntas são bem-vindas.', 'Fim do fio.', 'Por agora é isso.'],
    friendly: ['É isso! O que vocês acrescentariam?', 'Valeu a leitura, contem a sua opinião!', 'Agora vocês: o que ficou faltando?'],
    warm: ['Quem leu até aqui: vocês são demais.', 'Contem a sua história também, leio todas as respostas.', 'Muito carinho para quem chegou até o fim.'],
  },
  bio: ['{traits}. Aqui por {topics}.', '{name} · {topics} · {traits}.', 'Falando de {topics}. {traits}.', '{topics}: com alma {traits}.'],
  bioTails: {
    reserved: ['Posts novos toda semana.', 'Notas e novidades.'],
    friendly: ['Diga oi!', 'Vem comigo.', 'Que bom ter você aqui.'],
    warm: ['Sempre com boas vibrações.', 'Que alegria você ter chegado.', 'Bem-vindos à família.'],
  },
  reply: {
    thanks: {
      reserved: ['Agradeço muito.', 'Agradeço as palavras.'],
      friendly: ['Agradeço demais!', 'Ah, que gentil!', 'Isso fez o meu dia!'],
      warm: ['Você é um amor!', 'Me fez sorrir muito!', 'Agradeço de coração, comentários assim significam muito.'],
    },
    answer: {
      reserved: ['Boa pergunta. Falo de {topic} num próximo post.', 'Pergunta justa, conto em breve.'],
      friendly: ['Boa pergunta! Em breve conto mais sobre {topic}.', 'Opa, boa! Fique de olho num post sobre isso.'],
      warm: ['Adoro que você perguntou! Em breve conto mais sobre {topic}.', 'Que pergunta boa, vou preparar um post só para isso.'],
    },
    meeting: ['Que gentil, mas eu compartilho tudo aqui na minha página.', 'Agradeço a pergunta! Só estou aqui nos comentários.', 'Um amor, mas prefiro ficar online. Nos vemos nos comentários!'],
    keepItFriendly: ['Vamos manter isto gentil, por favor.', 'Este espaço é gentil e respeitoso, agradeço a compreensão.', 'Não é um assunto de que falo aqui. Bom dia!'],
    general: {
      reserved: ['Agradeço o comentário.', 'Agradeço a visita.'],
      friendly: ['Que bom que passou aqui!', 'Adorei o comentário!', 'Que bom ver você aqui!'],
      warm: ['Que alegria ver você aqui!', 'Que bom ter você nisto, de verdade.', 'Seu comentário fez o meu dia!'],
    },
    flirty: ['Assim você me deixa sem graça.', 'Cuidado, posso me acostumar.', 'Que charme.'],
  },
  video: {
    titles: ['{Idea}', '{Idea}: a minha versão', '{Idea} em 30 segundos', 'Por que eu amo: {idea}'],
    hooks: ['POV: {idea}.', 'Você precisa ver isto: {idea}.', 'Espera só: {idea}.', 'Este é o seu sinal: {idea}.'],
    introVisuals: ['{name} falando para a câmera, ao fundo: {idea}', 'Plano geral que apresenta a cena: {idea}', 'Abertura com câmera na mão: {idea}'],
    topicVisuals: ['Close-ups: {topic}', 'Imagens de apoio: {topic}', 'Cortes rápidos: {topic}'],
    outroVisuals: ['{name} sorri para a câmera, texto na tela: @{handle}', 'Fade lento, @{handle} na tela', '{name} acena, @{handle} no canto'],
    outros: {
      reserved: ['É isso. Mais em breve.', 'Siga para o próximo.', 'Valeu por assistir.'],
      friendly: ['Siga para mais e conte a sua nos comentários!', 'Esse foi o vídeo! O que eu testo depois?'],
      warm: ['Valeu por assistir, vocês são demais!', 'Mandando toda a boa energia. Nos vemos nos comentários!'],
    },
  },
  and: 'e',
  genericTags: ['fotododia', 'boasvibes', 'diaadia', 'estilodevida', 'instadaily', 'momentos', 'hoje', 'criadora'],
  stopwords: [
    'o', 'a', 'os', 'as', 'um', 'uma', 'uns', 'umas', 'e', 'ou', 'mas', 'de', 'do', 'da', 'dos', 'das', 'em', 'no', 'na', 'nos', 'nas', 'por', 'pelo', 'pela',
    'para', 'com', 'sem', 'sobre', 'meu', 'minha', 'seu', 'sua', 'este', 'esta', 'isto', 'esse', 'essa', 'é', 'são', 'foi', 'eu', 'me', 'nós', 'que', 'muito', 'mais',
  ],
  cues: {
    compliment: ['amei', 'adoro', 'linda', 'lindo', 'maravilhosa', 'maravilhoso', 'incrível', 'perfeita', 'perfeito', 'bonita', 'bonito', 'top', 'uau', 'a melhor', 'o melhor', '❤', '😍', '🔥', '👏'],
    question: ['o que', 'como', 'por que', 'porque', 'onde', 'quando', 'qual', 'quem', 'você pode', 'você tem', 'você é'],
    meeting: ['encontrar', 'encontro', 'jantar', 'tomar algo', 'um café', 'me liga', 'telefone', 'número', 'whatsapp', 'telegram', 'endereço', 'pessoalmente', 'me chama'],
  },
};
