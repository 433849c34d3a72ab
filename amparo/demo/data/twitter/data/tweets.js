window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2037540660642354679"
          ],
          "editableUntil" : "2026-03-27T15:42:03.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Camilo Rengifo 🇨🇴",
            "screen_name" : "camilo_territorios",
            "indices" : [
              "0",
              "19"
            ],
            "id_str" : "1356789012345678901",
            "id" : "1356789012345678901"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "20",
        "56"
      ],
      "favorite_count" : "45",
      "id_str" : "2037540660642354679",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "2037540660642354679",
      "created_at" : "Fri Mar 27 14:42:03 +0000 2026",
      "favorited" : false,
      "full_text" : "@camilo_territorios Gracias, compañero. Allá nos vemos 🌳",
      "lang" : "es",
      "in_reply_to_status_id_str" : "2037530077537430228",
      "in_reply_to_status_id" : "2037530077537430228",
      "in_reply_to_user_id" : "1356789012345678901",
      "in_reply_to_user_id_str" : "1356789012345678901",
      "in_reply_to_screen_name" : "camilo_territorios"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2037537706574972212"
          ],
          "editableUntil" : "2026-03-27T15:30:19.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "SomosTodasMarina",
            "indices" : [
              "138",
              "155"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Camilo Rengifo 🇨🇴",
            "screen_name" : "camilo_territorios",
            "indices" : [
              "118",
              "137"
            ],
            "id_str" : "1356789012345678901",
            "id" : "1356789012345678901"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "155"
      ],
      "favorite_count" : "620",
      "id_str" : "2037537706574972212",
      "truncated" : false,
      "retweet_count" : "90",
      "id" : "2037537706574972212",
      "created_at" : "Fri Mar 27 14:30:19 +0000 2026",
      "favorited" : false,
      "full_text" : "Confirmado: estarei no Foro Regional de Defensoras em Bogotá, 16 e 17 de abril, a convite da Red Territorios de Vida. @camilo_territorios #SomosTodasMarina",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2036544836704413967"
          ],
          "editableUntil" : "2026-03-24T21:45:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "147"
      ],
      "favorite_count" : "1980",
      "id_str" : "2036544836704413967",
      "truncated" : false,
      "retweet_count" : "455",
      "id" : "2036544836704413967",
      "created_at" : "Tue Mar 24 20:45:00 +0000 2026",
      "favorited" : false,
      "full_text" : "To everyone who wrote from Colombia, Mexico, France and beyond: thank you. Threats against defenders work only when we are alone. We are not alone.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2036541245120331849"
          ],
          "editableUntil" : "2026-03-24T21:30:44.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "157"
      ],
      "favorite_count" : "2540",
      "id_str" : "2036541245120331849",
      "truncated" : false,
      "retweet_count" : "310",
      "id" : "2036541245120331849",
      "created_at" : "Tue Mar 24 20:30:44 +0000 2026",
      "favorited" : false,
      "full_text" : "O programa de proteção fez a visita técnica hoje. Minha filha voltou para a escola com acompanhamento. Obrigada a cada pessoa e organização que se mobilizou.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2034968218297323080"
          ],
          "editableUntil" : "2026-03-20T13:20:05.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Jornal da Floresta",
            "screen_name" : "jornaldafloresta",
            "indices" : [
              "11",
              "28"
            ],
            "id_str" : "1122334455667788990",
            "id" : "1122334455667788990"
          }
        ],
        "urls" : [
          {
            "url" : "https://t.co/Muf6dpqgLg",
            "expanded_url" : "https://jornal-da-floresta.example.com/2026/03/20/campanha-contra-defensora",
            "display_url" : "jornal-da-floresta.exampl…",
            "indices" : [
              "74",
              "97"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "97"
      ],
      "favorite_count" : "344",
      "id_str" : "2034968218297323080",
      "truncated" : false,
      "retweet_count" : "150",
      "id" : "2034968218297323080",
      "created_at" : "Fri Mar 20 12:20:05 +0000 2026",
      "favorited" : false,
      "full_text" : "Matéria do @jornaldafloresta sobre a campanha contra mim e contra a rede: https://t.co/Muf6dpqgLg",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2034414623480840750"
          ],
          "editableUntil" : "2026-03-19T00:40:18.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "ForaMarina",
            "indices" : [
              "14",
              "25"
            ]
          },
          {
            "text" : "SomosTodasMarina",
            "indices" : [
              "99",
              "116"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "142"
      ],
      "favorite_count" : "865",
      "id_str" : "2034414623480840750",
      "truncated" : false,
      "retweet_count" : "402",
      "id" : "2034414623480840750",
      "created_at" : "Wed Mar 18 23:40:18 +0000 2026",
      "favorited" : false,
      "full_text" : "Segunda onda: #ForaMarina, 47 perfis, mesma frase, em 1 hora. Obrigada a quem está respondendo com #SomosTodasMarina sem repetir os ataques. 💚",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2032411349697091406"
          ],
          "editableUntil" : "2026-03-13T12:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Camilo Rengifo 🇨🇴",
            "screen_name" : "camilo_territorios",
            "indices" : [
              "3",
              "22"
            ],
            "id_str" : "1356789012345678901",
            "id" : "1356789012345678901"
          },
          {
            "name" : "Marina Costa 🌳",
            "screen_name" : "marina_xinguvivo",
            "indices" : [
              "42",
              "59"
            ],
            "id_str" : "1402938475610293847",
            "id" : "1402938475610293847"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "165"
      ],
      "favorite_count" : "0",
      "id_str" : "2032411349697091406",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2032411349697091406",
      "created_at" : "Fri Mar 13 11:00:00 +0000 2026",
      "favorited" : false,
      "full_text" : "RT @camilo_territorios: La campaña contra @marina_xinguvivo usa el mismo guion en Brasil y ahora en Colombia. Lo estamos documentando con la Red Territorios de Vida.",
      "lang" : "es"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2032264002982190276"
          ],
          "editableUntil" : "2026-03-13T02:14:30.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "157"
      ],
      "favorite_count" : "1677",
      "id_str" : "2032264002982190276",
      "truncated" : false,
      "retweet_count" : "702",
      "id" : "2032264002982190276",
      "created_at" : "Fri Mar 13 01:14:30 +0000 2026",
      "favorited" : false,
      "full_text" : "Hoje um carro prata sem placa ficou duas horas parado em frente à minha casa. Avisei a advogada e a polícia. Conto isso porque a visibilidade também protege.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2031340850832848021"
          ],
          "editableUntil" : "2026-03-10T13:06:13.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "160"
      ],
      "favorite_count" : "203",
      "id_str" : "2031340850832848021",
      "truncated" : false,
      "retweet_count" : "190",
      "id" : "2031340850832848021",
      "created_at" : "Tue Mar 10 12:06:13 +0000 2026",
      "favorited" : false,
      "full_text" : "Compañeras de Colombia y México: si reciben un enlace bit.ly para \"verificar su cuenta\" o \"inscribirse al foro\", no lo abran. Es phishing dirigido a defensoras.",
      "lang" : "es"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2031339984980159624"
          ],
          "editableUntil" : "2026-03-10T13:02:47.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "206"
      ],
      "favorite_count" : "522",
      "id_str" : "2031339984980159624",
      "truncated" : false,
      "retweet_count" : "410",
      "id" : "2031339984980159624",
      "created_at" : "Tue Mar 10 12:02:47 +0000 2026",
      "favorited" : false,
      "full_text" : "ATENÇÃO: circulam links de \"verificação de conta\" para defensoras da rede. gooogle-account-verify.com e whatsapp-seguranca.net são GOLPE. Não cliquem, não digitem senha. Ativem a verificação em duas etapas.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2030971871097409372"
          ],
          "editableUntil" : "2026-03-09T12:40:02.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Verdade Amazônia",
            "screen_name" : "verdade_amazonia",
            "indices" : [
              "0",
              "17"
            ],
            "id_str" : "1765554433221100998",
            "id" : "1765554433221100998"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "18",
        "89"
      ],
      "favorite_count" : "410",
      "id_str" : "2030971871097409372",
      "truncated" : false,
      "retweet_count" : "35",
      "id" : "2030971871097409372",
      "created_at" : "Mon Mar 09 11:40:02 +0000 2026",
      "favorited" : false,
      "full_text" : "@verdade_amazonia Apague a foto da fachada da minha casa. Já está no BO com print e link.",
      "lang" : "pt",
      "in_reply_to_status_id_str" : "2029874632254564231",
      "in_reply_to_status_id" : "2029874632254564231",
      "in_reply_to_user_id" : "1765554433221100998",
      "in_reply_to_user_id_str" : "1765554433221100998",
      "in_reply_to_screen_name" : "verdade_amazonia"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2030827374754946187"
          ],
          "editableUntil" : "2026-03-09T03:05:51.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "175"
      ],
      "favorite_count" : "2988",
      "id_str" : "2030827374754946187",
      "truncated" : false,
      "retweet_count" : "1540",
      "id" : "2030827374754946187",
      "created_at" : "Mon Mar 09 02:05:51 +0000 2026",
      "favorited" : false,
      "full_text" : "Recebi na DM esta noite: \"Vamos te achar, ladra de terras. Sabemos onde sua filha estuda.\" Estou publicando para que fique registrado. Não vou me calar e não vou sair do Pará.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2029988183142198683"
          ],
          "editableUntil" : "2026-03-06T19:31:12.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "SomosTodasMarina",
            "indices" : [
              "112",
              "129"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Colectiva Tierra y Agua",
            "screen_name" : "colectiva_tya",
            "indices" : [
              "3",
              "17"
            ],
            "id_str" : "1290011223344556677",
            "id" : "1290011223344556677"
          },
          {
            "name" : "Marina Costa 🌳",
            "screen_name" : "marina_xinguvivo",
            "indices" : [
              "46",
              "63"
            ],
            "id_str" : "1402938475610293847",
            "id" : "1402938475610293847"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "129"
      ],
      "favorite_count" : "0",
      "id_str" : "2029988183142198683",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2029988183142198683",
      "created_at" : "Fri Mar 06 18:31:12 +0000 2026",
      "favorited" : false,
      "full_text" : "RT @colectiva_tya: Desde México acompañamos a @marina_xinguvivo. Publicar la escuela de su hija es una amenaza. #SomosTodasMarina",
      "lang" : "es"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2029966487768550495"
          ],
          "editableUntil" : "2026-03-06T18:05:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "OID Défenseur·es",
            "screen_name" : "oid_defenseurs",
            "indices" : [
              "3",
              "18"
            ],
            "id_str" : "1187766554433221100",
            "id" : "1187766554433221100"
          },
          {
            "name" : "Marina Costa 🌳",
            "screen_name" : "marina_xinguvivo",
            "indices" : [
              "107",
              "124"
            ],
            "id_str" : "1402938475610293847",
            "id" : "1402938475610293847"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "187"
      ],
      "favorite_count" : "0",
      "id_str" : "2029966487768550495",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2029966487768550495",
      "created_at" : "Fri Mar 06 17:05:00 +0000 2026",
      "favorited" : false,
      "full_text" : "RT @oid_defenseurs: Nous sommes profondément préoccupé·es par les menaces contre la défenseure brésilienne @marina_xinguvivo. Nous appelons les autorités du Pará à garantir sa protection.",
      "lang" : "fr"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2029937732748207357"
          ],
          "editableUntil" : "2026-03-06T16:10:44.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "204"
      ],
      "favorite_count" : "2110",
      "id_str" : "2029937732748207357",
      "truncated" : false,
      "retweet_count" : "1022",
      "id" : "2029937732748207357",
      "created_at" : "Fri Mar 06 15:10:44 +0000 2026",
      "favorited" : false,
      "full_text" : "This morning someone posted my home address and my daughter's school in a group chat, with a photo of our gate. We have reported it to the police and asked for protection. Please do not share the address.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2029935613903286576"
          ],
          "editableUntil" : "2026-03-06T16:02:19.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "176"
      ],
      "favorite_count" : "1203",
      "id_str" : "2029935613903286576",
      "truncated" : false,
      "retweet_count" : "640",
      "id" : "2029935613903286576",
      "created_at" : "Fri Mar 06 15:02:19 +0000 2026",
      "favorited" : false,
      "full_text" : "Hoje publicaram o endereço da minha casa e o nome da escola da minha filha num grupo. Isso não é debate, é intimidação. Já registramos boletim de ocorrência e pedimos proteção.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2029372617611264885"
          ],
          "editableUntil" : "2026-03-05T02:45:10.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "182"
      ],
      "favorite_count" : "301",
      "id_str" : "2029372617611264885",
      "truncated" : false,
      "retweet_count" : "88",
      "id" : "2029372617611264885",
      "created_at" : "Thu Mar 05 01:45:10 +0000 2026",
      "favorited" : false,
      "full_text" : "Desde ontem dezenas de perfis criados esta semana repetem a mesma frase: que sou \"paga por ONG estrangeira\" e \"ladra de terras\". É uma campanha coordenada. Estamos documentando tudo.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2029319112264395743"
          ],
          "editableUntil" : "2026-03-04T23:12:33.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Pará Livre Já 🇧🇷",
            "screen_name" : "ParaLivreJa",
            "indices" : [
              "0",
              "12"
            ],
            "id_str" : "1745001122334455667",
            "id" : "1745001122334455667"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "13",
        "137"
      ],
      "favorite_count" : "156",
      "id_str" : "2029319112264395743",
      "truncated" : false,
      "retweet_count" : "22",
      "id" : "2029319112264395743",
      "created_at" : "Wed Mar 04 22:12:33 +0000 2026",
      "favorited" : false,
      "full_text" : "@ParaLivreJa Não sou paga por ninguém de fora. O relatório tem todas as fontes públicas, é só ler. Ataque pessoal não responde aos dados.",
      "lang" : "pt",
      "in_reply_to_status_id_str" : "2029300852248977709",
      "in_reply_to_status_id" : "2029300852248977709",
      "in_reply_to_user_id" : "1745001122334455667",
      "in_reply_to_user_id_str" : "1745001122334455667",
      "in_reply_to_screen_name" : "ParaLivreJa"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2028991335640687920"
          ],
          "editableUntil" : "2026-03-04T01:30:05.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "108"
      ],
      "favorite_count" : "97",
      "id_str" : "2028991335640687920",
      "truncated" : false,
      "retweet_count" : "8",
      "id" : "2028991335640687920",
      "created_at" : "Wed Mar 04 00:30:05 +0000 2026",
      "favorited" : false,
      "full_text" : "Obrigada a cada pessoa que leu e compartilhou. Esse relatório é das comunidades, eu só ajudei a escrever. 💚🌳",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2028837803173805684"
          ],
          "editableUntil" : "2026-03-03T15:20:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "IgarapéPreto",
            "indices" : [
              "131",
              "144"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Rede Xingu Vivo",
            "screen_name" : "redexinguvivo",
            "indices" : [
              "3",
              "17"
            ],
            "id_str" : "1203040506070809010",
            "id" : "1203040506070809010"
          },
          {
            "name" : "Marina Costa 🌳",
            "screen_name" : "marina_xinguvivo",
            "indices" : [
              "32",
              "49"
            ],
            "id_str" : "1402938475610293847",
            "id" : "1402938475610293847"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "144"
      ],
      "favorite_count" : "0",
      "id_str" : "2028837803173805684",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2028837803173805684",
      "created_at" : "Tue Mar 03 14:20:00 +0000 2026",
      "favorited" : false,
      "full_text" : "RT @redexinguvivo: Relatório da @marina_xinguvivo mostra 12 mil hectares grilados dentro da TI Igarapé Preto. Leitura obrigatória. #IgarapéPreto",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2028818841753527545"
          ],
          "editableUntil" : "2026-03-03T14:04:40.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "Amazon",
            "indices" : [
              "167",
              "174"
            ]
          },
          {
            "text" : "LandDefenders",
            "indices" : [
              "175",
              "189"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : [
          {
            "url" : "https://t.co/JtRzv2CQZY",
            "expanded_url" : "https://redexinguvivo.example.org/relatorio-igarape-preto/en",
            "display_url" : "redexinguvivo.example.org…",
            "indices" : [
              "143",
              "166"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "189"
      ],
      "favorite_count" : "388",
      "id_str" : "2028818841753527545",
      "truncated" : false,
      "retweet_count" : "201",
      "id" : "2028818841753527545",
      "created_at" : "Tue Mar 03 13:04:40 +0000 2026",
      "favorited" : false,
      "full_text" : "Today we released our report on land grabbing and deforestation in the Igarapé Preto Indigenous Territory, Pará, Brazil. English summary here: https://t.co/JtRzv2CQZY #Amazon #LandDefenders",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2028817718225017706"
          ],
          "editableUntil" : "2026-03-03T14:00:12.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "IgarapéPreto",
            "indices" : [
              "190",
              "203"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : [
          {
            "url" : "https://t.co/NyAU7sZQbW",
            "expanded_url" : "https://redexinguvivo.example.org/relatorio-igarape-preto",
            "display_url" : "redexinguvivo.example.org…",
            "indices" : [
              "166",
              "189"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "203"
      ],
      "favorite_count" : "214",
      "id_str" : "2028817718225017706",
      "truncated" : false,
      "retweet_count" : "131",
      "id" : "2028817718225017706",
      "created_at" : "Tue Mar 03 13:00:12 +0000 2026",
      "favorited" : false,
      "full_text" : "Lançamos hoje o relatório \"Igarapé Preto: grilagem e desmatamento 2019-2025\". Seis anos de documentação com as comunidades da TI Igarapé Preto. Leiam e compartilhem: https://t.co/NyAU7sZQbW #IgarapéPreto",
      "lang" : "pt"
    }
  }
]